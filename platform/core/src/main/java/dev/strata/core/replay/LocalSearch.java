package dev.strata.core.replay;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * First-improvement hill climbing over the one-gene neighbourhood, with random restarts: from a
 * new random architecture, try its neighbours in random order and move to the first better one;
 * at a local optimum (no better neighbour), restart. Known fitness is reused, never re-evaluated.
 */
final class LocalSearch implements Strategy {

    @Override
    public String name() {
        return "local-search";
    }

    @Override
    public void run(GeneSpace space, Oracle oracle, RandomGenerator random) {
        while (!oracle.done()) {
            int[] current = Strategy.novelRandom(space, oracle, random);
            if (current == null) return;
            double f = oracle.evaluate(current);
            if (Double.isNaN(f)) continue;
            boolean improved = true;
            while (improved && !oracle.done()) {
                improved = false;
                List<int[]> next = space.neighbours(current);
                for (int i = 0; i < next.size() && !oracle.done(); i++) {
                    int j = i + random.nextInt(next.size() - i);
                    int[] n = next.get(j);
                    next.set(j, next.get(i));
                    next.set(i, n);
                    double fn = oracle.seen(n) ? oracle.known(n) : oracle.evaluate(n);
                    if (fn > f) {
                        current = n;
                        f = fn;
                        improved = true;
                        break;
                    }
                }
            }
        }
    }
}
