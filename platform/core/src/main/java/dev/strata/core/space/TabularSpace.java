package dev.strata.core.space;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A search space of {@code kind: tabular}: fitness is looked up in a table of already trained
 * architectures instead of training, so a strategy can be replayed thousands of times in seconds.
 * Produced by {@link TabularSpaceLoader}; see docs/search-spaces.md.
 *
 * @param name short name (defaults to the file name)
 * @param file the YAML file
 * @param table the CSV table (resolved against the YAML file's folder)
 * @param metric the table column searched
 * @param maximize true for {@code goal: maximize}
 * @param genes the genes: how many and which values; an architecture's key is its present gene
 *     values joined by {@code -}
 * @param values architecture key -> metric value, for every row with a value
 * @param rows data rows in the table (rows with an empty metric cell included)
 * @param strategy the strategy and its settings
 * @param budget evaluations (feasible table look-ups) per run
 * @param seed search seed
 */
public record TabularSpace(
        String name,
        Path file,
        Path table,
        String metric,
        boolean maximize,
        Genes genes,
        Map<String, Double> values,
        int rows,
        StrategyConfig strategy,
        int budget,
        long seed) {

    public static final String GUIDED_EVOLUTION = StrategyConfig.GUIDED_EVOLUTION;
    public static final String REGULARIZED_EVOLUTION = StrategyConfig.REGULARIZED_EVOLUTION;
    public static final String RANDOM = StrategyConfig.RANDOM;
    public static final String LOCAL_SEARCH = StrategyConfig.LOCAL_SEARCH;
    public static final String DEFAULT_STRATEGY = StrategyConfig.DEFAULT;
    /** The single-objective strategies a table with one metric can replay. */
    public static final List<String> STRATEGIES = List.of(GUIDED_EVOLUTION, REGULARIZED_EVOLUTION, RANDOM, LOCAL_SEARCH);

    /**
     * Genes: between {@code minCount} and {@code maxCount} of them, each one of {@code values}.
     * With {@code minCount < maxCount} the genes after the first {@code minCount} may be absent.
     */
    public record Genes(int minCount, int maxCount, List<String> values) {}

    public TabularSpace withSeed(long newSeed) {
        return new TabularSpace(name, file, table, metric, maximize, genes, values, rows, strategy, budget, newSeed);
    }

    public TabularSpace withStrategy(String strategyName) {
        return new TabularSpace(name, file, table, metric, maximize, genes, values, rows, strategy.withName(strategyName), budget, seed);
    }

    /** The best metric value in the table, by the goal. */
    public double tableBest() {
        return values.values().stream().mapToDouble(Double::doubleValue).reduce(maximize ? Math::max : Math::min).orElse(Double.NaN);
    }
}
