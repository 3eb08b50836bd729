package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every strategy (or some) over seeds 1..N on a tabular space: per strategy the median and 90th
 * percentile of evaluations until within {@code gap} of the table's best value, over ALL runs,
 * a run that never gets there within the budget counting as not reaching (larger than any
 * number); a percentile that falls on such a run is null ("not reached"). Percentiles are
 * nearest-rank: the value at position ceil(p * runs) of the sorted runs.
 */
public final class StrategyBench {

    /**
     * @param median evaluations (null: the median run did not reach the gap)
     * @param p90 evaluations (null: the 90th-percentile run did not reach it)
     * @param succeeded runs that got within the gap within the budget
     */
    public record Row(String strategy, boolean isDefault, Integer median, Integer p90, int succeeded, int runs, long millis) {}

    private StrategyBench() {}

    public static List<Row> run(TabularSpace space, List<String> strategies, int seeds, double gap) {
        TableOracle.Lookup lookup = new TableOracle.Lookup(space);
        List<Row> rows = new ArrayList<>();
        for (String name : strategies) {
            long start = System.nanoTime();
            TabularSpace s = space.withStrategy(name);
            int[] reached = new int[seeds];
            int succeeded = 0;
            for (int seed = 1; seed <= seeds; seed++) {
                int r = Replay.run(s, lookup, seed, gap).reachedAt();
                reached[seed - 1] = r < 0 ? Integer.MAX_VALUE : r;
                if (r >= 0) succeeded++;
            }
            Arrays.sort(reached);
            rows.add(new Row(name, name.equals(TabularSpace.DEFAULT_STRATEGY), percentile(reached, 0.5), percentile(reached, 0.9),
                    succeeded, seeds, (System.nanoTime() - start) / 1_000_000));
        }
        return rows;
    }

    static Integer percentile(int[] sorted, double p) {
        if (sorted.length == 0) return null;
        int v = sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
        return v == Integer.MAX_VALUE ? null : v;
    }
}
