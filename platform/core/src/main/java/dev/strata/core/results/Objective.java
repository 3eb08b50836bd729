package dev.strata.core.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One objective of a multi-objective view: a metric name ({@code metric.name}) and whether it is
 * minimised or maximised. Written {@code val_loss:min}; a list is comma separated:
 * {@code val_loss:min,params:min} (the default when a search names none).
 */
public record Objective(String metric, boolean maximize) {

    /** What a search that names no objectives is judged on. */
    public static final String DEFAULT = "val_loss:min,params:min";

    static final Pattern METRIC = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    public Objective {
        if (metric == null || !METRIC.matcher(metric).matches()) {
            throw new IllegalArgumentException("objective metric '" + metric + "' is not a metric name");
        }
    }

    /**
     * Parses {@code name:min|max,...}; a name without direction is minimised.
     *
     * @throws IllegalArgumentException naming the bad part, on one line
     */
    public static List<Objective> parseList(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("no objectives given (expected e.g. " + DEFAULT + ")");
        List<Objective> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) throw new IllegalArgumentException("objectives '" + text + "': empty entry");
            int colon = p.indexOf(':');
            String name = colon < 0 ? p : p.substring(0, colon).strip();
            String dir = colon < 0 ? "min" : p.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
            if (!dir.equals("min") && !dir.equals("max")) {
                throw new IllegalArgumentException("objective '" + p + "': direction must be min or max");
            }
            if (!METRIC.matcher(name).matches()) {
                throw new IllegalArgumentException("objective '" + p + "': '" + name + "' is not a metric name");
            }
            Objective o = new Objective(name, dir.equals("max"));
            if (out.stream().anyMatch(x -> x.metric().equals(name))) {
                throw new IllegalArgumentException("objectives '" + text + "': " + name + " appears twice");
            }
            out.add(o);
        }
        return List.copyOf(out);
    }

    /** The value as a minimisation target: negated when maximised. */
    public double oriented(double value) {
        return maximize ? -value : value;
    }

    @Override
    public String toString() {
        return metric + (maximize ? ":max" : ":min");
    }
}
