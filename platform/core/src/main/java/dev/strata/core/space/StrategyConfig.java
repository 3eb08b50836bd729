package dev.strata.core.space;

/**
 * Which search strategy and its settings.
 *
 * @param name strategy name: {@value #REGULARIZED_EVOLUTION} or {@value #GRID}
 * @param population population size (the number of random candidates that start the search);
 *     0 for the grid, which has none
 * @param tournament tournament size for parent selection; 0 for the grid
 */
public record StrategyConfig(String name, int population, int tournament) {

    /** Regularized (aging) evolution, the default. */
    public static final String REGULARIZED_EVOLUTION = "regularized-evolution";

    /** Every distinct candidate in a fixed order (see docs/search-spaces.md), up to the budget. */
    public static final String GRID = "grid";

    /** The grid strategy, which takes no settings. */
    public static StrategyConfig grid() {
        return new StrategyConfig(GRID, 0, 0);
    }

    public boolean isGrid() {
        return GRID.equals(name);
    }
}
