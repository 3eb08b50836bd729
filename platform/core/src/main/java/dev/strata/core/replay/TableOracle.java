package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Fitness looked up in a benchmark table. Counts evaluations (feasible look-ups, repeats
 * included: a real search would train again), remembers infeasible architectures (missing from
 * the table: not counted), and records the best value and when the run first got within
 * {@code gap} of the table's best.
 */
public final class TableOracle {

    /** Shared, read-only look-up built once per space: canonical code -> metric value. */
    public static final class Lookup {
        final GeneSpace space;
        final Map<Long, Double> values = new HashMap<>();
        final boolean maximize;
        final double best;

        public Lookup(TabularSpace s) {
            space = GeneSpace.of(s.genes());
            maximize = s.maximize();
            for (Map.Entry<String, Double> e : s.values().entrySet()) values.put(space.code(space.parse(e.getKey())), e.getValue());
            best = s.tableBest();
        }

        public GeneSpace space() {
            return space;
        }

        public double best() {
            return best;
        }
    }

    private final Lookup lookup;
    private final int budget;
    private final double target;
    private final Map<Long, Double> evaluated = new HashMap<>();
    private final Set<Long> infeasible = new HashSet<>();
    private int evaluations;
    private long proposals;
    private double bestValue = Double.NaN;
    private int[] bestGenes;
    private int reachedAt = -1;

    public TableOracle(Lookup lookup, int budget, double gap) {
        this.lookup = lookup;
        this.budget = budget;
        this.target = lookup.maximize ? lookup.best - gap : lookup.best + gap;
    }

    /** Fitness (higher is better) of the architecture, or NaN when it is missing from the table (not counted). */
    public double evaluate(int[] genes) {
        int[] g = lookup.space.canonical(genes);
        long code = lookup.space.code(g);
        proposals++;
        Double v = lookup.values.get(code);
        if (v == null) {
            infeasible.add(code);
            return Double.NaN;
        }
        evaluations++;
        double fitness = lookup.maximize ? v : -v;
        evaluated.put(code, fitness);
        if (bestGenes == null || (lookup.maximize ? v > bestValue : v < bestValue)) {
            bestValue = v;
            bestGenes = g;
        }
        if (reachedAt < 0 && (lookup.maximize ? v >= target : v <= target)) reachedAt = evaluations;
        return fitness;
    }

    /** True when the budget is spent. */
    public boolean done() {
        // The second bound stops a strategy that only proposes infeasible architectures.
        return evaluations >= budget || proposals >= 1000L * budget + 100_000;
    }

    public int evaluations() {
        return evaluations;
    }

    /** Distinct architectures found missing from the table. */
    public int infeasible() {
        return infeasible.size();
    }

    public double bestValue() {
        return bestValue;
    }

    public String bestKey() {
        return bestGenes == null ? null : lookup.space.key(bestGenes);
    }

    /** Evaluations until the first one within the gap of the table's best, or -1 when never. */
    public int reachedAt() {
        return reachedAt;
    }
}
