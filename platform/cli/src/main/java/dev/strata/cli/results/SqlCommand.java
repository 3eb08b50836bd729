package dev.strata.cli.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.TextTable;
import dev.strata.core.results.QueryResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata results sql "SELECT ..."}: read-only SQL against the results database. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run read-only SQL (H2 dialect) against the results database; writes are refused.",
                "Tables: search, trial, metric, curve, trial_component (see docs/results-schema.md)."})
public final class SqlCommand implements Callable<Integer> {

    /** Cells wider than this are cut in the table (use --json for full values). */
    static final int MAX_CELL = 60;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Parameters(arity = "1..*", paramLabel = "SQL", description = "The query; several words are joined with spaces.")
    List<String> sql;

    @Option(names = "--json", description = "Print a JSON array of row objects instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        String query = String.join(" ", sql).strip();
        if (query.isEmpty()) {
            spec.commandLine().getErr().println("strata: results sql needs a query");
            return ExitCodes.BAD_INPUT;
        }
        return ResultsCommand.withStore(spec, db, store -> print(store.readOnlyQuery(query)));
    }

    private int print(QueryResult r) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json) {
            out.println(json(r));
            if (r.truncated()) err.println("strata: only the first " + r.rows().size() + " rows were returned");
            return ExitCodes.OK;
        }
        if (r.columns().isEmpty()) {
            out.println("(no result set)");
            return ExitCodes.OK;
        }
        TextTable t = new TextTable(MAX_CELL, r.columns().toArray(String[]::new));
        for (List<Object> row : r.rows()) {
            t.row(row.stream().map(v -> v == null ? "null" : v.toString()).toArray());
        }
        t.print(out);
        out.println(r.truncated()
                ? "(first " + r.rows().size() + " rows; more were left out)"
                : "(" + r.rows().size() + (r.rows().size() == 1 ? " row)" : " rows)"));
        return ExitCodes.OK;
    }

    static String json(QueryResult r) {
        List<String> keys = uniqueKeys(r.columns());
        ArrayNode arr = Format.JSON.createArrayNode();
        for (List<Object> row : r.rows()) {
            ObjectNode o = arr.addObject();
            for (int i = 0; i < keys.size(); i++) o.putPOJO(keys.get(i), row.get(i));
        }
        try {
            return Format.JSON.writeValueAsString(arr);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Column labels as object keys: a repeated label gets _2, _3, ... */
    private static List<String> uniqueKeys(List<String> columns) {
        Set<String> seen = new HashSet<>();
        List<String> keys = new ArrayList<>();
        for (String c : columns) {
            String k = c;
            for (int i = 2; !seen.add(k); i++) k = c + "_" + i;
            keys.add(k);
        }
        return keys;
    }
}
