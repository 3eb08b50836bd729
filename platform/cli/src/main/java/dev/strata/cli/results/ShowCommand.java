package dev.strata.cli.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.TextTable;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialRecord;
import dev.strata.core.training.CurvePoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata results show TRIAL}: one trial in full. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "One trial in full: architecture by layer, recipe, metrics, curve, parent, provenance.")
public final class ShowCommand implements Callable<Integer> {

    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    /** Validation points listed at most; more are sampled evenly. */
    static final int MAX_VAL_ROWS = 8;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Parameters(index = "0", paramLabel = "TRIAL", description = "Trial id.")
    long trialId;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Line width (default: COLUMNS, else 120).")
    Integer width;

    @Override
    public Integer call() {
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        ResultsReader reader = new ResultsReader(store);
        TrialRecord t = reader.requireTrial(trialId);
        Map<String, Double> metrics = store.metrics(t.id());
        List<CurvePoint> curve = store.curve(t.id());
        TrialRecord parent = t.parentTrialId() == null ? null : reader.trial(t.parentTrialId()).orElse(null);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = TrialJson.of(t, metrics);
            o.set("curve", TrialJson.curve(curve));
            if (parent != null) {
                ObjectNode p = o.putObject("parent");
                p.put("id", parent.id());
                p.put("val_loss", Format.orNull(parent.valLoss()));
                p.put("summary", parent.summary());
            } else {
                o.putNull("parent");
            }
            out.println(Format.json(o));
        } else {
            int w = width != null ? Math.max(40, width) : Format.terminalWidth();
            for (String line : lines(t, metrics, curve, parent, reader, w)) out.println(Format.cut(line, w));
        }
        return ExitCodes.OK;
    }

    static List<String> lines(TrialRecord t, Map<String, Double> metrics, List<CurvePoint> curve, TrialRecord parent,
            ResultsReader reader, int width) {
        List<String> out = new ArrayList<>();
        String searchName = reader.search(t.searchId()).map(s -> " (" + s.name() + ")").orElse("");
        out.add("trial " + t.id() + "  search " + t.searchId() + searchName + "  #" + t.ordinal() + "  generation " + t.generation()
                + (t.rung() > 0 ? "  rung " + t.rung() : "") + "  " + t.status());
        if (t.error() != null) out.add("error     " + t.error());
        Architecture a = t.architecture();
        out.add("model     d_model " + a.dModel() + ", " + a.depth() + (a.depth() == 1 ? " layer" : " layers")
                + ", final norm " + a.finalNorm() + "  (fingerprint " + t.fingerprint().substring(0, 12) + ")");
        List<String[]> layers = new ArrayList<>();
        layers.add(new String[] {"layer", "token_mixer", "channel_mixer", "norm", "residual"});
        for (int i = 0; i < a.depth(); i++) {
            LayerSpec l = a.layers().get(i);
            layers.add(new String[] {Integer.toString(i), l.tokenMixer().toString(), l.channelMixer().toString(), l.norm().toString(),
                    l.residual().toString()});
        }
        Columns.fit(layers, width - 2).forEach(line -> out.add("  " + line));
        out.addAll(Columns.wrap("recipe    ", recipeParts(t.recipeJson()), width));
        out.add("task      " + t.taskKey());
        out.add("seed      " + t.seed() + " (initialisation and batch order)");
        if (!metrics.isEmpty()) {
            out.add("metrics");
            TextTable m = new TextTable(40, "name", "value");
            metrics.forEach((k, v) -> m.row(k, Format.num(v)));
            out.addAll(indent(m).subList(2, metrics.size() + 2)); // without header and rule: name and value are plain
        }
        double[] train = curve.stream().filter(p -> p.split().equals("train")).mapToDouble(CurvePoint::loss).toArray();
        List<CurvePoint> val = curve.stream().filter(p -> p.split().equals("val")).toList();
        if (train.length > 0) {
            List<CurvePoint> tp = curve.stream().filter(p -> p.split().equals("train")).toList();
            out.add("curve     train loss " + Format.sparkline(Format.sample(train, Math.max(10, Math.min(60, width - 50)))) + "  "
                    + Format.num(train[0]) + " -> " + Format.num(train[train.length - 1]) + " (steps " + tp.getFirst().step()
                    + ".." + tp.getLast().step() + ")");
        }
        if (!val.isEmpty()) {
            TextTable v = new TextTable(20, "val step", "loss", "accuracy");
            List<CurvePoint> rows = val;
            if (val.size() > MAX_VAL_ROWS) {
                rows = new ArrayList<>();
                for (int i = 0; i < MAX_VAL_ROWS; i++) rows.add(val.get((int) Math.round((double) i * (val.size() - 1) / (MAX_VAL_ROWS - 1))));
            }
            for (CurvePoint p : rows) v.row(p.step(), Format.fixed(p.loss(), 4), Format.fixed(p.accuracy(), 3));
            out.addAll(indent(v));
        }
        if (t.parentTrialId() != null) {
            out.add("parent    trial " + t.parentTrialId() + (parent == null ? " (deleted)" : "  val_loss " + Format.fixed(parent.valLoss(), 4)
                    + (Double.isFinite(t.valLoss()) && Double.isFinite(parent.valLoss())
                            ? " (child " + String.format(java.util.Locale.ROOT, "%+.4f", t.valLoss() - parent.valLoss()) + ")" : "")
                    + "  " + parent.summary()));
        } else {
            out.add("parent    none (initial population)");
        }
        if (t.cachedFromTrialId() != null) out.add("cached    answered from trial " + t.cachedFromTrialId() + " (same architecture, task and recipe)");
        JsonNode versions = Format.tree(t.componentVersionsJson());
        if (versions.isObject() && !versions.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = versions.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                parts.add(e.getKey() + " " + e.getValue().asText());
            }
            out.addAll(Columns.wrap("plugins   ", parts, width));
        }
        out.add("device    " + (t.device() == null ? "-" : t.device()) + "; started "
                + (t.startedAt() == null ? "-" : WHEN.format(t.startedAt()))
                + (Double.isFinite(t.trainSeconds()) ? "; trained " + Format.fixed(t.trainSeconds(), 1) + " s" : ""));
        return out;
    }

    /** The recipe JSON as {@code steps 250}, {@code batch 32}, ... */
    static List<String> recipeParts(String json) {
        JsonNode r = Format.tree(json);
        if (!r.isObject()) return List.of("- (not recorded: trial from before schema version 2)");
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(e.getKey() + " " + e.getValue().asText());
        }
        return parts;
    }

    private static List<String> indent(TextTable table) {
        StringWriter s = new StringWriter();
        table.print(new PrintWriter(s));
        return s.toString().lines().map(l -> "  " + l).toList();
    }
}
