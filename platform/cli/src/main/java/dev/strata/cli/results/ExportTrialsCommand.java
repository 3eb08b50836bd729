package dev.strata.cli.results;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.strata.cli.ExitCodes;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata results export}: every trial with its metrics, as CSV or JSON, for other tools. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Every trial (any status) with its metrics, as CSV (one column per metric) or JSON.",
                "Architecture and recipe are JSON text in CSV and nested objects in JSON."})
public final class ExportTrialsCommand implements Callable<Integer> {

    /** The trial columns of the CSV, before one column per metric. */
    static final List<String> COLUMNS = List.of("id", "search_id", "ordinal", "generation", "rung", "status", "parent_trial_id",
            "cached_from_trial_id", "fingerprint", "summary", "task_key", "recipe_key", "seed", "device", "started_at", "finished_at",
            "error", "architecture", "recipe");

    enum Kind { csv, json }

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Option(names = "--format", paramLabel = "csv|json", defaultValue = "csv", description = "csv (default) or json.")
    Kind format;

    @Option(names = "--search", paramLabel = "ID", description = "Only this search (default: all).")
    Long searchId;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to this file (default: standard output).")
    Path out;

    @Override
    public Integer call() {
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        ResultsReader reader = new ResultsReader(store);
        if (searchId != null) reader.requireSearch(searchId);
        List<TrialRecord> trials = reader.allTrials(searchId);
        Map<Long, Map<String, Double>> metrics = reader.allMetrics(searchId);
        String text = format == Kind.json ? json(trials, metrics) : csv(trials, metrics);
        if (out == null) {
            PrintWriter w = spec.commandLine().getOut();
            w.print(text);
            w.flush();
        } else {
            try {
                if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write " + out + ": " + e.getMessage(), e);
            }
            spec.commandLine().getErr().println("wrote " + trials.size() + " trials to " + out);
        }
        return ExitCodes.OK;
    }

    static String json(List<TrialRecord> trials, Map<Long, Map<String, Double>> metrics) {
        ArrayNode arr = Format.JSON.createArrayNode();
        for (TrialRecord t : trials) arr.add(TrialJson.of(t, metrics.getOrDefault(t.id(), Map.of())));
        return Format.json(arr) + System.lineSeparator();
    }

    static String csv(List<TrialRecord> trials, Map<Long, Map<String, Double>> metrics) {
        Set<String> names = new TreeSet<>();
        metrics.values().forEach(m -> names.addAll(m.keySet()));
        names.removeAll(COLUMNS); // a metric can never shadow a trial column
        CsvSchema.Builder schema = CsvSchema.builder();
        COLUMNS.forEach(schema::addColumn);
        names.forEach(schema::addColumn);
        Writer w = new StringWriter();
        try (SequenceWriter seq = new CsvMapper().writerFor(String[].class).with(schema.build().withHeader()).writeValues(w)) {
            for (TrialRecord t : trials) {
                List<Object> row = new ArrayList<>(List.of(t.id(), t.searchId(), t.ordinal(), t.generation(), t.rung(), t.status()));
                row.add(t.parentTrialId());
                row.add(t.cachedFromTrialId());
                row.add(t.fingerprint());
                row.add(t.summary());
                row.add(t.taskKey());
                row.add(t.recipeKey());
                row.add(t.seed());
                row.add(t.device());
                row.add(t.startedAt() == null ? null : t.startedAt().toString());
                row.add(t.finishedAt() == null ? null : t.finishedAt().toString());
                row.add(t.error());
                row.add(t.architectureJson());
                row.add(t.recipeJson());
                Map<String, Double> m = metrics.getOrDefault(t.id(), Map.of());
                for (String n : names) {
                    Double v = m.get(n);
                    row.add(v == null || v.isNaN() ? null : v);
                }
                // Strings throughout: Jackson's CSV writer drops a null array element instead of writing an empty field.
                seq.write(row.stream().map(v -> v == null ? "" : v.toString()).toArray(String[]::new));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
