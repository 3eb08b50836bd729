package dev.strata.core.strategy;

import dev.strata.core.space.StrategyConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Aging (regularized) evolution, Real et al. 2019, asynchronous as in the paper: the first
 * {@code population} proposals are random; after that each proposal takes a tournament of
 * {@code tournament} members, and the winner's child (exactly one gene changed, always another
 * candidate) is proposed. Each result told joins the population and the oldest member dies, so
 * the population is the last {@code population} results, whatever order they arrive in.
 *
 * <p>{@code guided} (the default strategy, {@code guided-evolution}) adds two things: nothing is
 * proposed twice (random members and children are always new; when a parent has no new neighbour
 * left, the next best tournament member is the parent), and {@code candidates} new one-gene
 * children of the parent are ranked by {@link AdditivePredictor}, the best predicted one being
 * proposed. Textbook ({@code guided == false}): random members and children may repeat a candidate
 * evaluated before, and the loop charges a repeat as an evaluation, as a training would.
 */
final class AgingEvolution implements Strategy {

    private record Member(int[] genes, Score score) {}

    private final String name;
    private final Domain domain;
    private final RandomGenerator random;
    private final int population;
    private final int tournament;
    private final boolean guided;
    private final int candidates;
    private final AdditivePredictor predictor;
    private final Seen seen;
    private final List<Member> members = new ArrayList<>(); // oldest first
    /** Keys of random (initial) proposals whose results are not in yet. */
    private final Set<String> pendingRandom = new HashSet<>();
    private int[] scratch = new int[0];

    AgingEvolution(String name, Domain domain, RandomGenerator random, StrategyConfig config, boolean guided) {
        this.name = name;
        this.domain = domain;
        this.random = random;
        this.population = config.population();
        this.tournament = Math.min(config.tournament(), config.population());
        this.guided = guided;
        this.candidates = guided ? Math.max(1, config.candidates()) : 1;
        this.predictor = new AdditivePredictor(domain);
        this.seen = new Seen(domain);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Proposal propose() {
        if (members.size() + pendingRandom.size() < population || members.isEmpty()) {
            int[] g = guided ? seen.novelRandom(random) : domain.random(random);
            if (g == null) return null;
            seen.add(g);
            pendingRandom.add(domain.key(g));
            return new Proposal(g, null);
        }
        int[] sample = sample();
        if (!guided) {
            int best = sample[0];
            for (int idx : sample) if (members.get(idx).score().compareFitness(members.get(best).score()) > 0) best = idx;
            int[] parent = members.get(best).genes();
            int[] child = domain.mutate(parent, random);
            if (child == null) return null; // a space with nothing to mutate
            seen.add(child);
            return new Proposal(child, parent);
        }
        // Best tournament member first; fall back to the next when a parent is exhausted.
        sortBest(sample);
        for (int idx : sample) {
            int[] parent = members.get(idx).genes();
            int[] child = bestNovelChild(parent);
            if (child != null) {
                seen.add(child);
                return new Proposal(child, parent);
            }
        }
        int[] g = seen.novelRandom(random);
        if (g == null) return null;
        seen.add(g);
        return new Proposal(g, null);
    }

    @Override
    public void tell(int[] genes, Score score) {
        pendingRandom.remove(domain.key(genes));
        if (score.isInfeasible()) return; // not a member, never a parent
        members.add(new Member(genes, score));
        predictor.add(genes, score.fitness());
        if (members.size() > population) members.removeFirst();
    }

    /** {@code tournament} distinct member indices, uniformly at random (partial Fisher-Yates). */
    private int[] sample() {
        int size = members.size();
        if (scratch.length < size) scratch = new int[size];
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

    /** Sorts member indices best first (insertion sort; ties keep sample order). */
    private void sortBest(int[] sample) {
        for (int i = 1; i < sample.length; i++) {
            int x = sample[i];
            int j = i - 1;
            while (j >= 0 && members.get(sample[j]).score().compareFitness(members.get(x).score()) < 0) {
                sample[j + 1] = sample[j];
                j--;
            }
            sample[j + 1] = x;
        }
    }

    /** Among up to {@code candidates} unseen one-gene children, the one the predictor ranks best; null if none is unseen. */
    private int[] bestNovelChild(int[] parent) {
        List<int[]> fresh = new ArrayList<>();
        for (int[] n : domain.neighbours(parent)) if (!seen.contains(n)) fresh.add(n);
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
