package dev.strata.core.strategy;

/**
 * A candidate a strategy asks to have evaluated.
 *
 * @param genes its canonical genotype
 * @param parent the canonical genotype it was mutated from, or null (random, a restart)
 */
public record Proposal(int[] genes, int[] parent) {}
