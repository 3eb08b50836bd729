package dev.strata.core.space;

import dev.strata.core.training.Recipe;

/**
 * Multi-fidelity: successive halving in its asynchronous form (ASHA, Li et al. 2020). Every new
 * candidate first trains at rung 0 with {@code recipe.steps / eta^(rungs-1)} steps; whenever a
 * worker is free, a candidate in the best {@code 1/eta} of its rung's results so far is promoted
 * to the next rung ({@code eta} times the steps), up to the full recipe at the top rung. With
 * {@code earlyStop}, a trial whose validation loss at an evaluation is worse than the median of
 * the earlier trials of its rung at that step stops there (the median stopping rule).
 *
 * @param rungs 1 = single fidelity (every candidate trains the full recipe)
 */
public record Fidelity(int rungs, int eta, boolean earlyStop) {

    public static final Fidelity FULL = new Fidelity(1, 3, false);

    public Fidelity {
        if (rungs < 1) throw new IllegalArgumentException("fidelity.rungs must be at least 1, got " + rungs);
        if (eta < 2) throw new IllegalArgumentException("fidelity.eta must be at least 2, got " + eta);
    }

    public int topRung() {
        return rungs - 1;
    }

    /** The recipe a rung trains with: the full recipe's steps divided by eta per rung below the top. */
    public Recipe recipe(Recipe full, int rung) {
        long divisor = Math.round(Math.pow(eta, topRung() - rung));
        return divisor == 1 ? full : full.withSteps((int) Math.max(1, full.steps() / divisor));
    }
}
