package dev.strata.core.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Aging (regularized) evolution, Real et al. 2019: a random population; then each step a
 * tournament of {@code tournament} members picks the parent, its child (exactly one gene changed,
 * always a different architecture) joins the population and the oldest member dies.
 *
 * <p>{@code guided} adds two things (the default strategy, {@code guided-evolution}): no
 * architecture is proposed twice (random members and children are always new; when a parent has
 * no new neighbour left, the next best tournament member is the parent), and {@code candidates}
 * new one-gene children of the parent are ranked by {@link AdditivePredictor}, the best predicted
 * one being evaluated. Textbook ({@code guided == false}): random members and children may repeat
 * an evaluated architecture, and a repeat costs an evaluation, as a training would.
 */
final class AgingEvolution implements Strategy {

    private final String name;
    private final int population;
    private final int tournament;
    private final boolean guided;
    private final int candidates;

    AgingEvolution(String name, int population, int tournament, boolean guided, int candidates) {
        this.name = name;
        this.population = population;
        this.tournament = Math.min(tournament, population);
        this.guided = guided;
        this.candidates = Math.max(1, candidates);
    }

    @Override
    public String name() {
        return name;
    }

    private record Member(int[] genes, double fitness) {}

    @Override
    public void run(GeneSpace space, Oracle oracle, RandomGenerator random) {
        AdditivePredictor predictor = new AdditivePredictor(space);
        List<Member> members = new ArrayList<>(population + 1); // oldest first
        while (members.size() < population && !oracle.done()) {
            int[] g = guided ? Strategy.novelRandom(space, oracle, random) : space.canonical(space.random(random));
            if (g == null) return;
            double f = oracle.evaluate(g);
            if (Double.isNaN(f)) continue;
            members.add(new Member(g, f));
            predictor.add(g, f);
        }
        int[] order = new int[members.size()];
        while (!oracle.done() && !members.isEmpty()) {
            int[] sample = sample(members.size(), random, order);
            int[] child = null;
            if (guided) {
                // Best tournament member first; fall back to the next when a parent is exhausted.
                sortByFitness(sample, members);
                for (int idx : sample) {
                    child = bestNovelChild(space, oracle, predictor, members.get(idx).genes(), random);
                    if (child != null) break;
                }
                if (child == null) child = Strategy.novelRandom(space, oracle, random);
                if (child == null) return;
            } else {
                int best = sample[0];
                for (int idx : sample) if (members.get(idx).fitness() > members.get(best).fitness()) best = idx;
                child = space.mutate(members.get(best).genes(), random);
            }
            double f = oracle.evaluate(child);
            if (Double.isNaN(f)) continue; // infeasible: not a member, not counted
            members.add(new Member(child, f));
            predictor.add(child, f);
            members.removeFirst();
        }
    }

    /** {@code tournament} distinct member indices, uniformly at random (partial Fisher-Yates). */
    private int[] sample(int size, RandomGenerator random, int[] scratch) {
        for (int i = 0; i < size; i++) scratch[i] = i;
        int s = Math.min(tournament, size);
        for (int i = 0; i < s; i++) {
            int j = i + random.nextInt(size - i);
            int t = scratch[i];
            scratch[i] = scratch[j];
            scratch[j] = t;
        }
        int[] out = new int[s];
        System.arraycopy(scratch, 0, out, 0, s);
        return out;
    }

    private static void sortByFitness(int[] sample, List<Member> members) {
        // Insertion sort, best first; ties keep sample order.
        for (int i = 1; i < sample.length; i++) {
            int x = sample[i];
            int j = i - 1;
            while (j >= 0 && members.get(sample[j]).fitness() < members.get(x).fitness()) {
                sample[j + 1] = sample[j];
                j--;
            }
            sample[j + 1] = x;
        }
    }

    /** Among up to {@code candidates} unseen one-gene children, the one the predictor ranks best; null if none is unseen. */
    private int[] bestNovelChild(GeneSpace space, Oracle oracle, AdditivePredictor predictor, int[] parent, RandomGenerator random) {
        List<int[]> fresh = new ArrayList<>();
        for (int[] n : space.neighbours(parent)) if (!oracle.seen(n)) fresh.add(n);
        if (fresh.isEmpty()) return null;
        int[] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        int take = Math.min(candidates, fresh.size());
        for (int i = 0; i < take; i++) {
            int j = i + random.nextInt(fresh.size() - i);
            int[] c = fresh.get(j);
            fresh.set(j, fresh.get(i));
            fresh.set(i, c);
            double score = take == 1 ? 0 : predictor.predict(c);
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }
}
