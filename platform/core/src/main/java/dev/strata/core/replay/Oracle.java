package dev.strata.core.replay;

/**
 * What a strategy asks for fitness: a table look-up (tabular replay) or, later, a training run.
 * Fitness is always "higher is better" here; the oracle turns a minimized metric around.
 */
public interface Oracle {

    /**
     * Fitness of the architecture, or NaN when it is infeasible (missing from the table): an
     * infeasible architecture does not count as an evaluation.
     */
    double evaluate(int[] genes);

    /** Fitness already known for this architecture (NaN when not evaluated or infeasible). */
    double known(int[] genes);

    /** True once the architecture was evaluated or found infeasible. */
    boolean seen(int[] genes);

    /** True when the budget is spent. */
    boolean done();
}
