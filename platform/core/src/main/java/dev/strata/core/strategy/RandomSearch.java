package dev.strata.core.strategy;

import java.util.random.RandomGenerator;

/** Random search without repeats: uniformly random candidates never proposed before. */
final class RandomSearch implements Strategy {

    private final RandomGenerator random;
    private final Seen seen;

    RandomSearch(Domain domain, RandomGenerator random) {
        this.random = random;
        this.seen = new Seen(domain);
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public Proposal propose() {
        int[] g = seen.novelRandom(random);
        if (g == null) return null;
        seen.add(g);
        return new Proposal(g, null);
    }

    @Override
    public void tell(int[] genes, Score score) {}
}
