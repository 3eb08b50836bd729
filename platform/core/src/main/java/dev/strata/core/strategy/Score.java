package dev.strata.core.strategy;

import java.util.Arrays;

/**
 * What a strategy is told about an evaluated candidate: its objectives, each oriented so that
 * higher is better (a minimised metric is negated), and how far it violates the search's
 * constraints (0 when it meets them all). {@link #infeasible()} stands for a candidate with no
 * result: missing from a table, or a failed training. It never joins a population.
 */
public record Score(double[] objectives, double violation) {

    private static final Score INFEASIBLE = new Score(new double[0], Double.POSITIVE_INFINITY);

    public Score {
        objectives = objectives.clone();
    }

    /** A single-objective, unconstrained score. */
    public static Score of(double fitness) {
        return Double.isNaN(fitness) ? INFEASIBLE : new Score(new double[] {fitness}, 0);
    }

    public static Score infeasible() {
        return INFEASIBLE;
    }

    public boolean isInfeasible() {
        return objectives.length == 0;
    }

    public boolean meetsConstraints() {
        return !isInfeasible() && violation == 0;
    }

    /** The first objective (the single one of a single-objective search). */
    public double fitness() {
        return isInfeasible() ? Double.NEGATIVE_INFINITY : objectives[0];
    }

    /**
     * Single-objective order with Deb's constraint rule: meeting the constraints beats violating
     * them, a smaller violation beats a larger one, then the higher fitness wins. Positive when
     * {@code this} is better.
     */
    public int compareFitness(Score other) {
        int byViolation = Double.compare(other.violation, violation);
        return byViolation != 0 ? byViolation : Double.compare(fitness(), other.fitness());
    }

    /**
     * Constrained Pareto dominance (Deb et al. 2002): 1 when {@code this} dominates {@code other},
     * -1 when the other dominates, 0 when neither.
     */
    public int dominance(Score other) {
        if (violation != other.violation && (violation > 0 || other.violation > 0)) return violation < other.violation ? 1 : -1;
        boolean better = false;
        boolean worse = false;
        for (int i = 0; i < objectives.length; i++) {
            if (objectives[i] > other.objectives[i]) better = true;
            if (objectives[i] < other.objectives[i]) worse = true;
        }
        return better == worse ? 0 : better ? 1 : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Score s && Arrays.equals(objectives, s.objectives) && violation == s.violation;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(objectives) * 31 + Double.hashCode(violation);
    }

    @Override
    public String toString() {
        return Arrays.toString(objectives) + (violation > 0 ? " violation " + violation : "");
    }
}
