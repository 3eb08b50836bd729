package dev.strata.cli.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata results compare A B}: two trials side by side, rows that differ marked. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Two trials side by side: every slot of every layer, recipe, seed and metrics.",
                "Rows that differ are marked with '*'."})
public final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Parameters(index = "0", paramLabel = "TRIAL", description = "First trial id.")
    long first;

    @Parameters(index = "1", paramLabel = "TRIAL", description = "Second trial id.")
    long second;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Table width (default: COLUMNS, else 120).")
    Integer width;

    /** One compared field. */
    record Row(String field, String a, String b) {
        boolean differs() {
            return !Objects.equals(a, b);
        }
    }

    @Override
    public Integer call() {
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        ResultsReader reader = new ResultsReader(store);
        TrialRecord a = reader.requireTrial(first);
        TrialRecord b = reader.requireTrial(second);
        List<Row> rows = rows(a, store.metrics(a.id()), b, store.metrics(b.id()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Format.JSON.createObjectNode();
            o.put("a", a.id());
            o.put("b", b.id());
            ArrayNode arr = o.putArray("rows");
            for (Row r : rows) {
                ObjectNode n = arr.addObject();
                n.put("field", r.field());
                n.put("a", r.a());
                n.put("b", r.b());
                n.put("differs", r.differs());
            }
            out.println(Format.json(o));
        } else {
            table(rows, a.id(), b.id(), width != null ? Math.max(40, width) : Format.terminalWidth()).forEach(out::println);
            long n = rows.stream().filter(Row::differs).count();
            out.println("* " + n + " of " + rows.size() + " rows differ");
        }
        return ExitCodes.OK;
    }

    static List<Row> rows(TrialRecord a, Map<String, Double> ma, TrialRecord b, Map<String, Double> mb) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("search", Long.toString(a.searchId()), Long.toString(b.searchId())));
        rows.add(new Row("status", a.status(), b.status()));
        rows.add(new Row("generation", Integer.toString(a.generation()), Integer.toString(b.generation())));
        Architecture x = a.architecture();
        Architecture y = b.architecture();
        rows.add(new Row("d_model", Integer.toString(x.dModel()), Integer.toString(y.dModel())));
        rows.add(new Row("depth", Integer.toString(x.depth()), Integer.toString(y.depth())));
        for (int i = 0; i < Math.max(x.depth(), y.depth()); i++) {
            LayerSpec lx = i < x.depth() ? x.layers().get(i) : null;
            LayerSpec ly = i < y.depth() ? y.layers().get(i) : null;
            rows.add(new Row("layer " + i + " token_mixer", lx == null ? "-" : lx.tokenMixer().toString(), ly == null ? "-" : ly.tokenMixer().toString()));
            rows.add(new Row("layer " + i + " channel_mixer", lx == null ? "-" : lx.channelMixer().toString(), ly == null ? "-" : ly.channelMixer().toString()));
            rows.add(new Row("layer " + i + " norm", lx == null ? "-" : lx.norm().toString(), ly == null ? "-" : ly.norm().toString()));
            rows.add(new Row("layer " + i + " residual", lx == null ? "-" : lx.residual().toString(), ly == null ? "-" : ly.residual().toString()));
        }
        rows.add(new Row("final_norm", x.finalNorm().toString(), y.finalNorm().toString()));
        JsonNode ra = Format.tree(a.recipeJson());
        JsonNode rb = Format.tree(b.recipeJson());
        Set<String> recipeKeys = new LinkedHashSet<>();
        fieldNames(ra, recipeKeys);
        fieldNames(rb, recipeKeys);
        for (String k : recipeKeys) {
            rows.add(new Row("recipe " + k, ra.has(k) ? ra.get(k).asText() : "-", rb.has(k) ? rb.get(k).asText() : "-"));
        }
        rows.add(new Row("task", a.taskKey(), b.taskKey()));
        rows.add(new Row("seed", Long.toString(a.seed()), Long.toString(b.seed())));
        Set<String> names = new TreeSet<>(ma.keySet());
        names.addAll(mb.keySet());
        for (String n : names) {
            rows.add(new Row(n, ma.containsKey(n) ? Format.num(ma.get(n)) : "-", mb.containsKey(n) ? Format.num(mb.get(n)) : "-"));
        }
        return rows;
    }

    private static void fieldNames(JsonNode n, Set<String> into) {
        if (!n.isObject()) return;
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) into.add(it.next());
    }

    /** Lines no wider than {@code width}: marker, field, then the two trials' values sharing the rest. */
    static List<String> table(List<Row> rows, long a, long b, int width) {
        int fieldWidth = Math.max("field".length(), rows.stream().mapToInt(r -> r.field().length()).max().orElse(5));
        int rest = Math.max(20, width - 2 - fieldWidth - 4);
        int ca = Math.max(("trial " + a).length(), Math.min(rest / 2, rows.stream().mapToInt(r -> r.a().length()).max().orElse(0)));
        int cb = Math.max(8, rest - ca);
        List<String> out = new ArrayList<>();
        out.add(line(" ", "field", "trial " + a, "trial " + b, fieldWidth, ca, cb));
        out.add(line(" ", "-".repeat(fieldWidth), "-".repeat(ca), "-".repeat(Math.min(cb, Math.max(("trial " + b).length(),
                rows.stream().mapToInt(r -> r.b().length()).max().orElse(0)))), fieldWidth, ca, cb));
        for (Row r : rows) out.add(line(r.differs() ? "*" : " ", r.field(), r.a(), r.b(), fieldWidth, ca, cb));
        return out;
    }

    private static String line(String mark, String field, String a, String b, int fw, int ca, int cb) {
        String ac = Format.cut(a, ca);
        return (mark + " " + field + " ".repeat(fw - field.length()) + "  " + ac + " ".repeat(ca - ac.length()) + "  "
                + Format.cut(b, cb)).stripTrailing();
    }
}
