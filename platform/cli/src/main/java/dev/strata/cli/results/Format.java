package dev.strata.cli.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;

/** Number and text formatting shared by the results commands. */
final class Format {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Format() {}

    /** A fixed number of decimals, or "-" for NaN. */
    static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A parameter count in short form: 950, 12.3k, 4.56M, 1.20B; "-" when unknown (0). */
    static String count(long n) {
        if (n <= 0) return "-";
        if (n < 1_000) return Long.toString(n);
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        if (n < 1_000_000_000) return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        return String.format(Locale.ROOT, "%.2fB", n / 1e9);
    }

    /** {@code s} cut to {@code width} characters, with "..." where it was cut. */
    static String cut(String s, int width) {
        if (s == null) return "";
        if (s.length() <= width) return s;
        return width <= 3 ? s.substring(0, width) : s.substring(0, width - 3) + "...";
    }

    /** NaN as null, for JSON. */
    static Double orNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A metric value for tables: an integer as is, anything else to 6 significant digits; "-" for NaN. */
    static String num(double v) {
        if (Double.isNaN(v)) return "-";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** A metric value as a table shows it: parameter counts short (12.3k), others by {@link #num}. */
    static String metric(String name, double v) {
        return name.equals("params") && v > 0 ? count(Math.round(v)) : num(v);
    }

    private static final String BARS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";

    /** The values as a line of block characters, low to high; NaN as a space. */
    static String sparkline(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            if (!Double.isFinite(v)) b.append(' ');
            else if (hi == lo) b.append(BARS.charAt(3));
            else b.append(BARS.charAt((int) Math.min(BARS.length() - 1, Math.floor((v - lo) / (hi - lo) * BARS.length()))));
        }
        return b.toString();
    }

    /** At most {@code width} values: evenly spaced picks, first and last kept. */
    static double[] sample(double[] values, int width) {
        if (values.length <= width) return values;
        double[] out = new double[width];
        for (int i = 0; i < width; i++) out[i] = values[(int) Math.round((double) i * (values.length - 1) / (width - 1))];
        return out;
    }

    /** Pretty JSON text of a value. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** A JSON text stored in the database as a tree (null stays null). */
    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        if (json == null) return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(json);
        }
    }

    /** Terminal width: the COLUMNS environment variable, else 120. */
    static int terminalWidth() {
        try {
            String c = System.getenv("COLUMNS");
            if (c != null && !c.isBlank()) return Math.max(40, Integer.parseInt(c.strip()));
        } catch (NumberFormatException ignored) {
            // fall through
        }
        return 120;
    }
}
