package dev.strata.core.strategy;

import io.jenetics.ext.moea.Pareto;
import io.jenetics.ext.moea.Vec;
import io.jenetics.util.ISeq;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * NSGA-II (Deb et al. 2002) in its steady-state form, so that it runs asynchronously on many
 * workers: parents are picked by binary tournament on (non-domination rank, crowding distance);
 * each result told joins the population, and when the population is over size the member on the
 * worst front with the smallest crowding distance leaves. Dominance is Deb's constrained
 * dominance ({@link Score#dominance}): a candidate that meets the constraints beats one that does
 * not, and between two violators the smaller violation wins. Ranks and crowding distances come
 * from Jenetics' {@code io.jenetics.ext.moea.Pareto}. Children are one-gene mutations never
 * proposed before, as in the default single-objective strategy.
 */
final class Nsga2 implements Strategy {

    private record Member(int[] genes, Score score) {}

    private final Domain domain;
    private final RandomGenerator random;
    private final int population;
    private final Seen seen;
    private final List<Member> members = new ArrayList<>();
    private final Set<String> pendingRandom = new HashSet<>();

    Nsga2(Domain domain, RandomGenerator random, int population) {
        this.domain = domain;
        this.random = random;
        this.population = population;
        this.seen = new Seen(domain);
    }

    @Override
    public String name() {
        return "nsga2";
    }

    @Override
    public Proposal propose() {
        if (members.size() + pendingRandom.size() < population || members.isEmpty()) {
            int[] g = seen.novelRandom(random);
            if (g == null) return null;
            seen.add(g);
            pendingRandom.add(domain.key(g));
            return new Proposal(g, null);
        }
        Ranking r = rank();
        int first = tournament(r);
        int second = tournament(r);
        for (int idx : new int[] {first, second}) {
            int[] parent = members.get(idx).genes();
            List<int[]> fresh = new ArrayList<>();
            for (int[] n : domain.neighbours(parent)) if (!seen.contains(n)) fresh.add(n);
            if (!fresh.isEmpty()) {
                int[] child = fresh.get(random.nextInt(fresh.size()));
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
        if (score.isInfeasible()) return;
        members.add(new Member(genes, score));
        if (members.size() > population) {
            Ranking r = rank();
            int worst = 0;
            for (int i = 1; i < members.size(); i++) {
                if (r.rank[i] > r.rank[worst] || (r.rank[i] == r.rank[worst] && r.crowding[i] < r.crowding[worst])) worst = i;
            }
            members.remove(worst);
        }
    }

    /** Binary tournament: the lower rank wins, then the larger crowding distance. */
    private int tournament(Ranking r) {
        int a = random.nextInt(members.size());
        int b = random.nextInt(members.size());
        if (r.rank[a] != r.rank[b]) return r.rank[a] < r.rank[b] ? a : b;
        return r.crowding[a] >= r.crowding[b] ? a : b;
    }

    private record Ranking(int[] rank, double[] crowding) {}

    private Ranking rank() {
        ISeq<Score> scores = members.stream().map(Member::score).collect(ISeq.toISeq());
        int[] rank = Pareto.rank(scores, Score::dominance);
        double[] crowding = new double[rank.length];
        int maxRank = 0;
        for (int v : rank) maxRank = Math.max(maxRank, v);
        for (int front = 0; front <= maxRank; front++) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < rank.length; i++) if (rank[i] == front) idx.add(i);
            ISeq<Vec<double[]>> vecs = idx.stream().map(i -> Vec.of(members.get(i).score().objectives())).collect(ISeq.toISeq());
            double[] d = Pareto.crowdingDistance(vecs);
            for (int k = 0; k < idx.size(); k++) crowding[idx.get(k)] = d[k];
        }
        return new Ranking(rank, crowding);
    }
}
