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
