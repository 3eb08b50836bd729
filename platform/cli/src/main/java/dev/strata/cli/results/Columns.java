package dev.strata.cli.results;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A table whose last column (an architecture summary, say) takes the width that is left and is cut
 * with "..."; numeric columns are right-aligned. The first row is the header, followed by a rule.
 */
final class Columns {

    private static final Pattern NUMERIC = Pattern.compile("-|[-+]?[0-9][0-9.,]*([eE][-+]?[0-9]+)?[kMB%]?|[-+]?inf");

    private Columns() {}

    /**
     * A left-aligned table (header, rule, rows) no wider than {@code width}: while it is too wide,
     * the widest column gives up a character; cut cells end with "...".
     */
    static List<String> fit(List<String[]> rows, int width) {
        int cols = rows.getFirst().length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
        while (java.util.Arrays.stream(w).sum() + 2 * (cols - 1) > width) {
            int widest = 0;
            for (int i = 1; i < cols; i++) if (w[i] > w[widest]) widest = i;
            if (w[widest] <= 6) break;
            w[widest]--;
        }
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String cell = Format.cut(rows.get(r)[i], w[i]);
                b.append(cell).append(" ".repeat(w[i] - cell.length())).append(i < cols - 1 ? "  " : "");
            }
            lines.add(b.toString().stripTrailing());
            if (r == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < cols; i++) rule.append("-".repeat(w[i])).append(i < cols - 1 ? "  " : "");
                lines.add(rule.toString());
            }
        }
        return lines;
    }

    /**
     * {@code parts} joined with ", " after {@code label}, wrapped onto lines no wider than
     * {@code width} that continue under the first part.
     */
    static List<String> wrap(String label, List<String> parts, int width) {
        List<String> lines = new ArrayList<>();
        String pad = " ".repeat(label.length());
        StringBuilder line = new StringBuilder(label);
        boolean first = true;
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i) + (i < parts.size() - 1 ? "," : "");
            if (!first && line.length() + 1 + part.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(pad);
                first = true;
            }
            if (!first) line.append(' ');
            line.append(part);
            first = false;
        }
        lines.add(line.toString());
        return lines;
    }

    static List<String> render(List<String[]> rows, int width) {
        int cols = rows.getFirst().length;
        int[] w = new int[cols];
        boolean[] numeric = new boolean[cols];
        java.util.Arrays.fill(numeric, true);
        for (int r = 0; r < rows.size(); r++) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], rows.get(r)[i].length());
                if (r > 0 && !NUMERIC.matcher(rows.get(r)[i]).matches()) numeric[i] = false;
            }
        }
        int fixed = 0;
        for (int i = 0; i < cols - 1; i++) fixed += w[i] + 2;
        int last = Math.max(12, width - fixed);
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String cell = rows.get(r)[i];
                if (i == cols - 1) b.append(Format.cut(cell, last));
                else if (numeric[i] && r > 0) b.append(" ".repeat(w[i] - cell.length())).append(cell).append("  ");
                else b.append(cell).append(" ".repeat(w[i] - cell.length())).append("  ");
            }
            lines.add(b.toString().stripTrailing());
            if (r == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < cols - 1; i++) rule.append("-".repeat(w[i])).append("  ");
                rule.append("-".repeat(Math.min(last, w[cols - 1])));
                lines.add(rule.toString());
            }
        }
        return lines;
    }
}
