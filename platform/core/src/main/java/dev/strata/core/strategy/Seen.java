package dev.strata.core.strategy;

import java.util.HashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/** The candidates a strategy has proposed (whether or not their results are in yet), by key. */
final class Seen {

    /** Random draws tried before giving up on finding an unseen candidate. */
    private static final int ATTEMPTS = 10_000;

    private final Domain domain;
    private final Set<String> keys = new HashSet<>();

    Seen(Domain domain) {
        this.domain = domain;
    }

    boolean contains(int[] g) {
        return keys.contains(domain.key(g));
    }

    /** Marks {@code g} proposed; false when it already was. */
    boolean add(int[] g) {
        return keys.add(domain.key(g));
    }

    /** A random candidate not proposed before (not yet marked), or null when none is found in many draws. */
    int[] novelRandom(RandomGenerator random) {
        for (int i = 0; i < ATTEMPTS; i++) {
            int[] g = domain.random(random);
            if (!contains(g)) return g;
        }
        return null;
    }
}
