package dev.strata.core.space;

/**
 * Which search strategy and its settings.
 *
 * @param name strategy name, e.g. {@code regularized-evolution}
 * @param population population size (the number of random architectures that start the search)
 * @param tournament tournament size for parent selection
 */
public record StrategyConfig(String name, int population, int tournament) {}
