package dev.strata.core.search;

import dev.strata.core.genome.Genome;
import io.jenetics.Genotype;
import io.jenetics.IntegerGene;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The candidates (architecture and recipe, by {@code Candidate.key()}) a search has already
 * proposed, and the source of new ones: random draws and one-gene mutations that avoid them.
 * Without this, a small space wastes trials on repeats and a Jenetics mutator can hand back an
 * unchanged clone. The same architecture under another searched learning rate is another candidate.
 */
final class SeenCandidates {

    /** How hard to look for an unseen candidate before accepting a repeat. */
    private static final int ATTEMPTS = 200;

    private final Genome genome;
    private final Set<String> seen = new HashSet<>();
    /** Child genotype -> key of the parent it was mutated from, for lineage. */
    private final Map<Genotype<IntegerGene>, String> parents = new HashMap<>();

    SeenCandidates(Genome genome) {
        this.genome = genome;
    }

    /** A random genotype whose candidate was not proposed before, if one is found. */
    Genotype<IntegerGene> novelRandom(RandomGenerator random) {
        Genotype<IntegerGene> g = genome.random(random);
        for (int i = 0; i < ATTEMPTS && seen.contains(key(g)); i++) {
            g = genome.random(random);
        }
        markSeen(g);
        return g;
    }

    /**
     * A child of {@code parent} that differs from it in exactly one decision and expresses another
     * candidate, preferring one never proposed before. When no single change alters the candidate
     * at all, the parent itself is returned (the search then sees a repeat).
     */
    Genotype<IntegerGene> mutate(Genotype<IntegerGene> parent, RandomGenerator random) {
        int decisions = genome.decisions().size();
        String parentKey = key(parent);
        Genotype<IntegerGene> fallback = null;
        for (int attempt = 0; attempt < ATTEMPTS && decisions > 0; attempt++) {
            int[] values = genome.values(parent);
            int d = random.nextInt(decisions);
            int options = genome.decisions().get(d).options();
            values[d] = (values[d] + 1 + random.nextInt(options - 1)) % options; // always another value
            Genotype<IntegerGene> child = genome.genotype(values);
            String key = key(child);
            if (key.equals(parentKey)) continue; // an unexpressed gene changed
            if (!seen.contains(key)) {
                return remember(child, parentKey);
            }
            if (fallback == null) fallback = child;
        }
        return fallback == null ? parent : remember(fallback, parentKey);
    }

    private Genotype<IntegerGene> remember(Genotype<IntegerGene> child, String parentKey) {
        markSeen(child);
        parents.put(child, parentKey);
        return child;
    }

    void markSeen(Genotype<IntegerGene> g) {
        seen.add(key(g));
    }

    /** Key of the candidate this genotype was mutated from, or null for random ones. */
    String parentOf(Genotype<IntegerGene> g) {
        return parents.get(g);
    }

    String key(Genotype<IntegerGene> g) {
        return genome.candidate(g).key();
    }
}
