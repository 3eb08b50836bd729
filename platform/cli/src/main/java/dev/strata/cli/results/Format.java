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
