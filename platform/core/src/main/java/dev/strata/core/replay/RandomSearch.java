package dev.strata.core.replay;

import java.util.random.RandomGenerator;

/** Random search without repeats: uniformly random architectures never proposed before. */
final class RandomSearch implements Strategy {

    @Override
    public String name() {
        return "random";
    }

    @Override
    public void run(GeneSpace space, Oracle oracle, RandomGenerator random) {
        while (!oracle.done()) {
            int[] g = Strategy.novelRandom(space, oracle, random);
            if (g == null) return;
            oracle.evaluate(g);
        }
    }
}
