package dev.strata.core.strategy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * First-improvement hill climbing over the one-gene neighbourhood, with random restarts: from a
 * new random candidate, try its neighbours in random order and move to the first better one; at a
 * local optimum (every neighbour tried, none better) restart from a new random candidate. Known
 * results are reused, never evaluated again.
 *
 * <p>Asynchronously, any result told that beats the current candidate becomes the current one (a
 * neighbour, or a restart that arrives late), and a neighbourhood is left as soon as all of it has
 * been proposed, without waiting for the results still out.
 */
final class LocalSearch implements Strategy {

    private final Domain domain;
    private final RandomGenerator random;
    private final Seen seen;
    /** Key -> result of every candidate told. */
    private final Map<String, Score> known = new HashMap<>();
    private int[] current;
    private Score currentScore;
    private List<int[]> neighbours = List.of();
    private int next;

    LocalSearch(Domain domain, RandomGenerator random) {
        this.domain = domain;
        this.random = random;
        this.seen = new Seen(domain);
    }

    @Override
    public String name() {
        return "local-search";
    }

    @Override
    public Proposal propose() {
        while (true) {
            if (current == null || next >= neighbours.size()) {
                current = null; // a restart
                int[] g = seen.novelRandom(random);
                if (g == null) return null;
                seen.add(g);
                return new Proposal(g, null);
            }
            int j = next + random.nextInt(neighbours.size() - next);
            int[] n = neighbours.get(j);
            neighbours.set(j, neighbours.get(next));
            neighbours.set(next, n);
            next++;
            Score s = known.get(domain.key(n));
            if (s != null) {
                if (better(s)) moveTo(n, s);
                continue;
            }
            if (!seen.add(n)) continue; // proposed, result still out
            return new Proposal(n, current);
        }
    }

    @Override
    public void tell(int[] genes, Score score) {
        known.put(domain.key(genes), score);
        if (!score.isInfeasible() && (current == null || better(score))) moveTo(genes, score);
    }

    private boolean better(Score s) {
        return !s.isInfeasible() && s.compareFitness(currentScore) > 0;
    }

    private void moveTo(int[] g, Score s) {
        current = g;
        currentScore = s;
        neighbours = new java.util.ArrayList<>(domain.neighbours(g));
        next = 0;
    }
}
