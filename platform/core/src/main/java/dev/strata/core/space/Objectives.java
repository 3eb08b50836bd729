package dev.strata.core.space;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a search optimises and what it must respect: one or more objectives over a trial's
 * metrics, each minimised or maximised, and hard constraints such as {@code params <= 2e6}. A
 * trial that breaks a constraint is never the best trial and never on the printed Pareto front;
 * strategies rank it below every trial that meets the constraints.
 */
public record Objectives(List<Objective> objectives, List<Constraint> constraints) {

    /** Metrics every trial reports, usable as objectives and in constraints. */
    public static final List<String> METRICS = List.of("val_loss", "val_accuracy", "train_loss", "params", "flops_per_token",
            "tokens_per_second", "peak_memory_mb", "step_seconds", "train_seconds");

    /** One objective: a metric and its direction. */
    public record Objective(String metric, boolean maximize) {
        public String text() {
            return metric + ":" + (maximize ? "max" : "min");
        }

        /** The metric value turned so that higher is better. */
        public double oriented(double value) {
            return maximize ? value : -value;
        }
    }

    /** A hard constraint {@code metric op bound}, op one of {@code <=, <, >=, >}. */
    public record Constraint(String metric, String op, double bound) {
        public String text() {
            return metric + op + bound;
        }

        /** How far {@code value} is on the wrong side, relative to the bound; 0 when it holds, +inf when unmeasured. */
        public double violation(double value) {
            if (Double.isNaN(value)) return Double.POSITIVE_INFINITY;
            double scale = Math.max(Math.abs(bound), 1e-12);
            return switch (op) {
                case "<=" -> Math.max(0, value - bound) / scale;
                case "<" -> value < bound ? 0 : (value - bound) / scale + 1e-9;
                case ">=" -> Math.max(0, bound - value) / scale;
                case ">" -> value > bound ? 0 : (bound - value) / scale + 1e-9;
                default -> throw new IllegalStateException(op);
            };
        }
    }

    /** The default: minimise the validation loss, no constraints. */
    public static final Objectives DEFAULT = new Objectives(List.of(new Objective("val_loss", false)), List.of());

    public Objectives {
        objectives = List.copyOf(objectives);
        constraints = List.copyOf(constraints);
    }

    public boolean multi() {
        return objectives.size() > 1;
    }

    /** E.g. {@code val_loss:min,params:min}: what {@code search.objectives} stores. */
    public String objectivesText() {
        return objectives.stream().map(Objective::text).collect(Collectors.joining(","));
    }

    /** E.g. {@code params<=2000000.0}, ';'-separated; null when there are none. */
    public String constraintsText() {
        return constraints.isEmpty() ? null : constraints.stream().map(Constraint::text).collect(Collectors.joining(";"));
    }

    /** Summed violation of all constraints by a trial's metrics (0: it meets them all). */
    public double violation(Map<String, Double> metrics) {
        double v = 0;
        for (Constraint c : constraints) v += c.violation(metrics.getOrDefault(c.metric(), Double.NaN));
        return v;
    }

    /** The objectives of a trial's metrics, oriented higher-is-better; null when one is missing or not finite. */
    public double[] oriented(Map<String, Double> metrics) {
        double[] out = new double[objectives.size()];
        for (int i = 0; i < out.length; i++) {
            Double v = metrics.get(objectives.get(i).metric());
            if (v == null || !Double.isFinite(v)) return null;
            out[i] = objectives.get(i).oriented(v);
        }
        return out;
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
