package dev.strata.core.genome;

import dev.strata.core.strategy.Domain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A training space's {@link Genome} as a strategy {@link Domain}. The canonical genotype of a
 * candidate has every unexpressed gene at 0 (a gene of a layer beyond the depth, a parameter of a
 * component not chosen), which is also the genotype {@link Genome#grid()} yields for it, so
 * canonical genotypes and candidates correspond one to one.
 */
public final class GenomeDomain implements Domain {

    private static final int MUTATION_ATTEMPTS = 200;

    private final Genome genome;
    private final int[] options;

    public GenomeDomain(Genome genome) {
        this.genome = genome;
        this.options = genome.decisions().stream().mapToInt(Genome.Decision::options).toArray();
    }

    public Genome genome() {
        return genome;
    }

    /** The candidate a genotype expresses. */
    public Candidate candidate(int[] g) {
        return genome.candidate(genome.genotype(g));
    }

    @Override
    public int genes() {
        return options.length;
    }

    @Override
    public int options(int gene) {
        return options[gene];
    }

    @Override
    public int[] canonical(int[] g) {
        int[] c = g.clone();
        // Whether gene i is expressed depends only on genes before it, already canonical here.
        for (int i = 0; i < c.length; i++) if (!genome.expressed(c, i)) c[i] = 0;
        return c;
    }

    @Override
    public String key(int[] canonical) {
        return Arrays.toString(canonical);
    }

    @Override
    public int[] random(RandomGenerator random) {
        int[] g = new int[options.length];
        for (int i = 0; i < g.length; i++) g[i] = random.nextInt(options[i]);
        return canonical(g);
    }

    /** Changes one random gene to another value until the candidate changes; null when no gene can change it. */
    @Override
    public int[] mutate(int[] parent, RandomGenerator random) {
        for (int attempt = 0; attempt < MUTATION_ATTEMPTS && options.length > 0; attempt++) {
            int d = random.nextInt(options.length);
            int[] child = parent.clone();
            child[d] = (child[d] + 1 + random.nextInt(options[d] - 1)) % options[d];
            child = canonical(child);
            if (!Arrays.equals(child, parent)) return child;
        }
        return null;
    }

    @Override
    public List<int[]> neighbours(int[] g) {
        Set<String> keys = new HashSet<>();
        keys.add(key(g));
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < g.length; i++) {
            if (!genome.expressed(g, i)) continue;
            for (int v = 0; v < options[i]; v++) {
                if (v == g[i]) continue;
                int[] child = g.clone();
                child[i] = v;
                child = canonical(child);
                if (keys.add(key(child))) out.add(child);
            }
        }
        return out;
    }
}
