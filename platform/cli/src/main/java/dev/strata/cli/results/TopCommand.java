package dev.strata.cli.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata results top}: the trials with the lowest validation loss. */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "The trials with the lowest validation loss, in one search or across all.")
public final class TopCommand implements Callable<Integer> {

    static final List<String> HEADERS = List.of("id", "search", "#", "status", "val_loss", "val_acc", "params", "seconds", "architecture");

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Option(names = "-n", paramLabel = "N", defaultValue = "10", description = "How many trials (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--search", paramLabel = "ID", description = "Only this search (default: all searches).")
    Long searchId;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Table width (default: COLUMNS, else 120).")
    Integer width;

    @Override
    public Integer call() {
        if (n < 1) {
            spec.commandLine().getErr().println("strata: -n " + n + ": must be at least 1");
            return ExitCodes.BAD_INPUT;
        }
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        PrintWriter out = spec.commandLine().getOut();
        if (searchId != null && store.search(searchId).isEmpty()) {
            throw new IllegalArgumentException("no search with id " + searchId + " (see 'strata results searches')");
        }
        List<TrialSummary> top = store.top(searchId, n);
        if (json) {
            out.println(json(top));
        } else if (top.isEmpty()) {
            out.println(searchId == null ? "no finished trials yet" : "no finished trials in search " + searchId + " yet");
        } else {
            table(top, width != null ? Math.max(40, width) : Format.terminalWidth()).forEach(out::println);
        }
        return ExitCodes.OK;
    }

    /** The table as lines no wider than {@code width}: the architecture column takes what is left. */
    static List<String> table(List<TrialSummary> trials, int width) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS.toArray(String[]::new));
        for (TrialSummary t : trials) {
            rows.add(new String[] {Long.toString(t.id()), Long.toString(t.searchId()), Integer.toString(t.ordinal()),
                    t.status(), Format.fixed(t.valLoss(), 4), Format.fixed(t.valAccuracy(), 3), Format.count(t.params()),
                    Format.fixed(t.trainSeconds(), 1), t.summary()});
        }
        int cols = HEADERS.size();
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
        int fixed = 0;
        for (int i = 0; i < cols - 1; i++) fixed += w[i] + 2;
        int archWidth = Math.max(12, width - fixed);
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String cell = rows.get(r)[i];
                boolean numeric = r > 0 && i != 3 && i != cols - 1;
                if (i == cols - 1) b.append(Format.cut(cell, archWidth));
                else if (numeric) b.append(" ".repeat(w[i] - cell.length())).append(cell).append("  ");
                else b.append(cell).append(" ".repeat(w[i] - cell.length())).append("  ");
            }
            lines.add(b.toString().stripTrailing());
            if (r == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < cols - 1; i++) rule.append("-".repeat(w[i])).append("  ");
                rule.append("-".repeat(Math.min(archWidth, Math.max(w[cols - 1], HEADERS.getLast().length()))));
                lines.add(rule.toString());
            }
        }
        return lines;
    }

    static String json(List<TrialSummary> trials) {
        ArrayNode arr = Format.JSON.createArrayNode();
        for (TrialSummary t : trials) {
            ObjectNode o = arr.addObject();
            o.put("id", t.id());
            o.put("search_id", t.searchId());
            o.put("ordinal", t.ordinal());
            o.put("generation", t.generation());
            o.put("status", t.status());
            o.put("val_loss", Format.orNull(t.valLoss()));
            o.put("val_accuracy", Format.orNull(t.valAccuracy()));
            if (t.params() > 0) o.put("params", t.params()); else o.putNull("params");
            o.put("train_seconds", Format.orNull(t.trainSeconds()));
            o.put("fingerprint", t.fingerprint());
            o.put("summary", t.summary());
            o.put("error", t.error());
        }
        try {
            return Format.JSON.writeValueAsString(arr);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
