package dev.strata.core.replay;

import java.util.random.RandomGenerator;

/** A search strategy over an in-process {@link Oracle}; all randomness comes from {@code random}. */
public interface Strategy {

    String name();

    /** Proposes architectures until {@code oracle.done()} (or nothing new is left to propose). */
    void run(GeneSpace space, Oracle oracle, RandomGenerator random);

    /** A random architecture not seen before, or null when none is found in many draws. */
    static int[] novelRandom(GeneSpace space, Oracle oracle, RandomGenerator random) {
        for (int i = 0; i < 10_000; i++) {
            int[] g = space.canonical(space.random(random));
            if (!oracle.seen(g)) return g;
        }
        return null;
    }
}
