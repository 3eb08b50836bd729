package dev.strata.core.strategy;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What a strategy searches over: a fixed number of genes, gene {@code i} a small integer in
 * {@code 0..options(i)-1}. Several genotypes may express one candidate (a gene of a layer beyond the
 * chosen depth, say); {@link #canonical} picks one of them, so strategies compare and remember
 * canonical genotypes only. Implemented by the tabular gene space and by the training genome.
 */
public interface Domain {

    int genes();

    int options(int gene);

    /** The one genotype that stands for the candidate {@code g} expresses. */
    int[] canonical(int[] g);

    /** A key unique to the candidate a canonical genotype expresses (used for "seen before"). */
    String key(int[] canonical);

    /** A random canonical genotype. */
    int[] random(RandomGenerator random);

    /** A canonical child that expresses another candidate than {@code parent} by changing one gene. */
    int[] mutate(int[] parent, RandomGenerator random);

    /** Every distinct canonical genotype one gene change away from {@code g}. */
    List<int[]> neighbours(int[] g);
}
