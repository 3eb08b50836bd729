package dev.strata.cli.results;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.strata.cli.ExitCodes;
import dev.strata.core.results.ParetoQuery;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsReader.ComponentValue;
import dev.strata.core.results.ResultsReader.ProgressPoint;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.training.CurvePoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BoxChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata results plot KIND}: charts of a search as PNG and SVG files. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Charts of a search, each written as KIND.png and KIND.svg into --out:",
                "  progress    best-so-far validation loss by trial (progress) and over time (progress-time)",
                "  pareto      feasible trials on the first two objectives, with the Pareto front",
                "  curves      validation (and dashed training) loss by step of --trials (default: the best 5)",
                "  components  validation loss distribution per component, one box chart per kind (components-KIND)"})
public final class PlotCommand implements Callable<Integer> {

    enum Kind { progress, pareto, curves, components }

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Parameters(index = "0", paramLabel = "KIND", description = "progress, pareto, curves or components.")
    Kind kind;

    @Option(names = "--search", paramLabel = "ID", description = "The search (default: the most recent).")
    Long searchId;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder to write the files into (created if needed).")
    Path out;

    @Option(names = "--trials", paramLabel = "ID,ID,...", split = ",", description = "curves: the trials to draw (default: the best 5 of the search).")
    List<Long> trials;

    @Option(names = "--objectives", paramLabel = "LIST", description = "pareto: objectives (default: the search's, else val_loss:min,params:min).")
    String objectives;

    @Option(names = "--json", description = "Print the written files as a JSON array.")
    boolean json;

    @Override
    public Integer call() {
        System.setProperty("java.awt.headless", "true");
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        ResultsReader reader = new ResultsReader(store);
        long id = ParetoCommand.searchOrLatest(reader, searchId);
        List<Path> written = new ArrayList<>();
        switch (kind) {
            case progress -> {
                List<ProgressPoint> points = reader.progress(id);
                requireData(points.stream().anyMatch(p -> Double.isFinite(p.valLoss())), id);
                written.addAll(Plots.write(Plots.progressByTrial(id, points), out, "progress"));
                written.addAll(Plots.write(Plots.progressByTime(id, points), out, "progress-time"));
            }
            case pareto -> {
                ParetoQuery.Result r = ParetoQuery.run(reader, id, objectives, null);
                requireData(!r.candidates().isEmpty(), id);
                written.addAll(Plots.write(Plots.pareto(r), out, "pareto"));
            }
            case curves -> {
                List<Long> ids = trials != null && !trials.isEmpty() ? trials
                        : store.top(id, Plots.DEFAULT_CURVES).stream().map(TrialSummary::id).toList();
                Map<Long, List<CurvePoint>> curves = new LinkedHashMap<>();
                for (long t : ids) {
                    reader.requireTrial(t);
                    curves.put(t, store.curve(t));
                }
                requireData(curves.values().stream().anyMatch(c -> !c.isEmpty()), id);
                written.addAll(Plots.write(Plots.curves(id, curves), out, "curves"));
            }
            case components -> {
                List<ComponentValue> values = reader.componentValues(id);
                requireData(!values.isEmpty(), id);
                for (Map.Entry<String, BoxChart> e : Plots.components(id, false, values).entrySet()) {
                    written.addAll(Plots.write(e.getValue(), out, "components-" + e.getKey()));
                }
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ArrayNode arr = Format.JSON.createArrayNode();
            written.forEach(p -> arr.add(p.toString()));
            w.println(Format.json(arr));
        } else {
            written.forEach(p -> w.println("wrote " + p));
        }
        return ExitCodes.OK;
    }

    private void requireData(boolean any, long id) {
        if (!any) throw new IllegalArgumentException("nothing to plot: search " + id + " has no finished trials" + (kind == Kind.curves ? " with curves" : ""));
    }
}
