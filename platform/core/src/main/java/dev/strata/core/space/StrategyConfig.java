package dev.strata.core.space;

import java.util.List;

/**
 * Which search strategy and its settings, for training and tabular spaces alike.
 *
 * @param name strategy name, one of {@link #ALL}
 * @param population population size (the number of random candidates that start the search);
 *     0 for strategies without a population
 * @param tournament tournament size for parent selection (the evolutions); 0 when unused
 * @param candidates children of one parent ranked by the predictor ({@value #GUIDED_EVOLUTION} only)
 */
public record StrategyConfig(String name, int population, int tournament, int candidates) {

    /** Aging evolution that never repeats a candidate and ranks children with a cheap predictor: the default. */
    public static final String GUIDED_EVOLUTION = "guided-evolution";

    /** Textbook regularized (aging) evolution, Real et al. 2019. */
    public static final String REGULARIZED_EVOLUTION = "regularized-evolution";

    /** Several objectives with constraints: steady-state NSGA-II. */
    public static final String NSGA2 = "nsga2";

    /** Uniformly random candidates, no repeats: a baseline. */
    public static final String RANDOM = "random";

    /** One-gene-neighbourhood hill climbing with restarts: a baseline. */
    public static final String LOCAL_SEARCH = "local-search";

    /** Every distinct candidate in a fixed order (see docs/search-spaces.md), up to the budget. */
    public static final String GRID = "grid";

    /** The strategy a search uses when its YAML names none. */
    public static final String DEFAULT = GUIDED_EVOLUTION;

    /** The ask/tell strategies (every one but the grid). */
    public static final List<String> ADAPTIVE = List.of(GUIDED_EVOLUTION, REGULARIZED_EVOLUTION, NSGA2, RANDOM, LOCAL_SEARCH);

    /** Every strategy name a training space accepts. */
    public static final List<String> ALL = List.of(GUIDED_EVOLUTION, REGULARIZED_EVOLUTION, NSGA2, RANDOM, LOCAL_SEARCH, GRID);

    /** The grid strategy, which takes no settings. */
    public static StrategyConfig grid() {
        return new StrategyConfig(GRID, 0, 0, 0);
    }

    public boolean isGrid() {
        return GRID.equals(name);
    }

    /** Whether the strategy keeps a population, which the budget must cover. */
    public boolean hasPopulation() {
        return name.equals(GUIDED_EVOLUTION) || name.equals(REGULARIZED_EVOLUTION) || name.equals(NSGA2);
    }

    /** The same settings under another strategy's name. */
    public StrategyConfig withName(String other) {
        return new StrategyConfig(other, population, tournament, candidates);
    }
}
