package dev.strata.core.results;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Pareto front of one search's finished trials under its objectives, leaving out every trial
 * that violates one of its constraints (or lacks a metric a constraint or an objective names).
 *
 * <p>Objectives default to the search's {@code search.objectives} column, else {@value Objective#DEFAULT};
 * constraints to its {@code search.constraints} column. The front is computed here (see
 * {@link ParetoFront}), not with the quadratic {@code pareto_front} view.
 */
public final class ParetoQuery {

    /**
     * What came out.
     *
     * @param candidates feasible trials with every objective: trial id to raw objective values
     * @param front the non-dominated ones, by the first objective; values raw (not negated)
     * @param violating finished trials left out by a constraint
     * @param incomplete feasible trials left out because an objective value is missing
     * @param unknownMetrics metrics named by objectives or constraints that no finished trial of the search has a value of
     */
    public record Result(long searchId, List<Objective> objectives, List<Constraint> constraints, int finished,
            Map<Long, double[]> candidates, List<ParetoFront.Point> front, int violating, int incomplete,
            Set<String> unknownMetrics) {}

    private ParetoQuery() {}

    /**
     * @param objectivesOrNull objectives text, or null for the search's
     * @param constraintsOrNull constraints text, or null for the search's
     * @throws IllegalArgumentException for an unknown search or malformed objectives/constraints
     */
    public static Result run(ResultsReader reader, long searchId, String objectivesOrNull, String constraintsOrNull) {
        SearchRecord search = reader.requireSearch(searchId);
        String objectivesText = objectivesOrNull != null ? objectivesOrNull
                : search.objectives() != null && !search.objectives().isBlank() ? search.objectives() : Objective.DEFAULT;
        List<Objective> objectives = Objective.parseList(objectivesText);
        List<Constraint> constraints = Constraint.parseList(constraintsOrNull != null ? constraintsOrNull : search.constraints());

        Set<String> names = new LinkedHashSet<>();
        objectives.forEach(o -> names.add(o.metric()));
        constraints.forEach(c -> names.add(c.metric()));
        List<String> columns = List.copyOf(names);
        Map<Long, double[]> values = reader.metricValues(searchId, columns);
        Set<String> unknown = new LinkedHashSet<>(columns);
        for (double[] v : values.values()) {
            for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i])) unknown.remove(columns.get(i));
            if (unknown.isEmpty()) break;
        }

        int k = objectives.size();
        int violating = 0;
        int incomplete = 0;
        Map<Long, double[]> candidates = new java.util.LinkedHashMap<>();
        List<ParetoFront.Point> points = new ArrayList<>();
        for (Map.Entry<Long, double[]> e : values.entrySet()) {
            double[] v = e.getValue();
            boolean ok = true;
            for (Constraint c : constraints) {
                if (!c.test(v[columns.indexOf(c.metric())])) {
                    ok = false;
                    break;
                }
            }
            if (!ok) {
                violating++;
                continue;
            }
            double[] raw = new double[k];
            double[] oriented = new double[k];
            boolean complete = true;
            for (int i = 0; i < k; i++) {
                raw[i] = v[columns.indexOf(objectives.get(i).metric())];
                oriented[i] = objectives.get(i).oriented(raw[i]);
                complete &= !Double.isNaN(raw[i]);
            }
            if (!complete) {
                incomplete++;
                continue;
            }
            candidates.put(e.getKey(), raw);
            points.add(new ParetoFront.Point(e.getKey(), oriented));
        }
        List<ParetoFront.Point> front = new ArrayList<>();
        for (ParetoFront.Point p : ParetoFront.of(points)) front.add(new ParetoFront.Point(p.id(), candidates.get(p.id())));
        return new Result(searchId, objectives, constraints, values.size(), candidates, List.copyOf(front), violating, incomplete,
                unknown);
    }
}
