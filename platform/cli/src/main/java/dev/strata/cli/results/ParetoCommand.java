package dev.strata.cli.results;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.core.results.Objective;
import dev.strata.core.results.ParetoFront;
import dev.strata.core.results.ParetoQuery;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata results pareto}: the trials no other trial of the search beats on every objective. */
@Command(name = "pareto", mixinStandardHelpOptions = true,
        description = {"The Pareto front of a search: finished trials no other one beats on every objective.",
                "Objectives: the search's own (search.objectives), else val_loss:min,params:min.",
                "Trials that violate the search's constraints (search.constraints) are never shown."})
public final class ParetoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Option(names = "--search", paramLabel = "ID", description = "The search (default: the most recent).")
    Long searchId;

    @Option(names = "--objectives", paramLabel = "LIST",
            description = "Metrics and directions, e.g. val_loss:min,params:min (default: the search's, else that).")
    String objectives;

    @Option(names = "--constraints", paramLabel = "LIST",
            description = "Bounds, e.g. 'params<=2000000;flops_per_token<=5e5' (default: the search's).")
    String constraints;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Table width (default: COLUMNS, else 120).")
    Integer width;

    @Override
    public Integer call() {
        return ResultsCommand.withStore(spec, db, this::run);
    }

    /** The search asked for, or the most recent one. */
    static long searchOrLatest(ResultsReader reader, Long searchId) {
        if (searchId != null) return reader.requireSearch(searchId).id();
        return reader.latestSearchId().orElseThrow(() -> new IllegalArgumentException("no searches yet: run a search first"));
    }

    private int run(ResultsStore store) {
        ResultsReader reader = new ResultsReader(store);
        long id = searchOrLatest(reader, searchId);
        ParetoQuery.Result r = ParetoQuery.run(reader, id, objectives, constraints);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (r.finished() > 0) {
            List<String> unknownObjectives = r.objectives().stream().map(Objective::metric).filter(r.unknownMetrics()::contains).toList();
            if (!unknownObjectives.isEmpty()) {
                throw new IllegalArgumentException("unknown metric '" + unknownObjectives.getFirst() + "' in the objectives of search " + id
                        + " (its trials have: " + String.join(", ", reader.metricNames(id)) + ")");
            }
            r.constraints().stream().filter(c -> r.unknownMetrics().contains(c.metric())).forEach(c -> err.println(
                    "strata: note: no trial of search " + id + " has metric " + c.metric() + ", so none satisfies " + c));
        }
        Map<Long, TrialRecord> trials = reader.trials(r.front().stream().map(ParetoFront.Point::id).toList()).stream()
                .collect(Collectors.toMap(TrialRecord::id, Function.identity()));
        if (json) {
            out.println(json(r, trials));
            return ExitCodes.OK;
        }
        int w = width != null ? Math.max(40, width) : Format.terminalWidth();
        header(r).forEach(line -> out.println(Format.cut(line, w)));
        if (r.front().isEmpty()) {
            out.println(r.finished() == 0 ? "no finished trials in search " + id + " yet" : "no trial satisfies the constraints");
            return ExitCodes.OK;
        }
        table(r, trials, w).forEach(out::println);
        return ExitCodes.OK;
    }

    /** Two lines: what is on the front of how many, and by which objectives and constraints. */
    static List<String> header(ParetoQuery.Result r) {
        StringBuilder b = new StringBuilder("search " + r.searchId() + ": " + r.front().size() + " trials on the Pareto front of "
                + r.candidates().size() + " feasible");
        List<String> left = new ArrayList<>();
        if (r.violating() > 0) left.add(r.violating() + " violate the constraints");
        if (r.incomplete() > 0) left.add(r.incomplete() + " lack an objective");
        if (!left.isEmpty()) b.append(" (").append(String.join(", ", left)).append(")");
        String objectives = r.objectives().stream().map(Objective::toString).collect(Collectors.joining(", "));
        String constraints = r.constraints().isEmpty() ? "none" : r.constraints().stream().map(Object::toString).collect(Collectors.joining("; "));
        return List.of(b.toString(), "objectives " + objectives + "; constraints " + constraints);
    }

    /** Lines no wider than {@code width}; the architecture summary takes what is left. */
    static List<String> table(ParetoQuery.Result r, Map<Long, TrialRecord> trials, int width) {
        List<String> headers = new ArrayList<>(List.of("id", "#"));
        r.objectives().forEach(o -> headers.add(o.metric()));
        headers.add("architecture");
        List<String[]> rows = new ArrayList<>();
        rows.add(headers.toArray(String[]::new));
        for (ParetoFront.Point p : r.front()) {
            TrialRecord t = trials.get(p.id());
            List<String> cells = new ArrayList<>(List.of(Long.toString(p.id()), t == null ? "-" : Integer.toString(t.ordinal())));
            for (int i = 0; i < r.objectives().size(); i++) cells.add(Format.metric(r.objectives().get(i).metric(), p.values()[i]));
            cells.add(t == null ? "" : t.summary());
            rows.add(cells.toArray(String[]::new));
        }
        return Columns.render(rows, width);
    }

    static String json(ParetoQuery.Result r, Map<Long, TrialRecord> trials) {
        ObjectNode o = Format.JSON.createObjectNode();
        o.put("search_id", r.searchId());
        ArrayNode obj = o.putArray("objectives");
        r.objectives().forEach(x -> obj.add(x.toString()));
        ArrayNode con = o.putArray("constraints");
        r.constraints().forEach(x -> con.add(x.toString()));
        o.put("finished", r.finished());
        o.put("feasible", r.candidates().size());
        o.put("violating", r.violating());
        o.put("incomplete", r.incomplete());
        ArrayNode front = o.putArray("front");
        for (ParetoFront.Point p : r.front()) {
            TrialRecord t = trials.get(p.id());
            ObjectNode n = front.addObject();
            n.put("id", p.id());
            n.put("ordinal", t == null ? null : t.ordinal());
            for (int i = 0; i < r.objectives().size(); i++) n.put(r.objectives().get(i).metric(), Format.orNull(p.values()[i]));
            n.put("summary", t == null ? null : t.summary());
        }
        return Format.json(o);
    }
}
