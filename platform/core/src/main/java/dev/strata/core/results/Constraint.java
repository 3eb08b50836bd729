package dev.strata.core.results;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bound on one metric, e.g. {@code params<=2000000}. A list is separated by semicolons:
 * {@code params<=2000000;flops_per_token<=5e5}. A trial that lacks the metric does not satisfy it.
 */
public record Constraint(String metric, String op, double bound) {

    private static final Pattern FORM = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*(<=|>=|<|>|==|=)\\s*(\\S+)\\s*");

    /**
     * Parses {@code metric OP number;...} with OP one of {@code <= < >= > =}; an empty or null text is
     * no constraint.
     *
     * @throws IllegalArgumentException naming the bad part, on one line
     */
    public static List<Constraint> parseList(String text) {
        List<Constraint> out = new ArrayList<>();
        if (text == null || text.isBlank()) return out;
        for (String part : text.split(";")) {
            if (part.isBlank()) continue;
            Matcher m = FORM.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("constraint '" + part.strip() + "': expected METRIC<=NUMBER (or <, >=, >, =)");
            }
            double bound;
            try {
                bound = Double.parseDouble(m.group(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("constraint '" + part.strip() + "': '" + m.group(3) + "' is not a number");
            }
            out.add(new Constraint(m.group(1), m.group(2).equals("==") ? "=" : m.group(2), bound));
        }
        return List.copyOf(out);
    }

    /** Whether {@code value} satisfies the bound; NaN (not measured) never does. */
    public boolean test(double value) {
        if (Double.isNaN(value)) return false;
        return switch (op) {
            case "<=" -> value <= bound;
            case "<" -> value < bound;
            case ">=" -> value >= bound;
            case ">" -> value > bound;
            default -> value == bound;
        };
    }

    @Override
    public String toString() {
        return metric + op + (bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? Long.toString((long) bound) : Double.toString(bound));
    }
}
