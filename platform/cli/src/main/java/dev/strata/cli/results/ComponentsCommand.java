package dev.strata.cli.results;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsReader.ComponentStat;
import dev.strata.core.results.ResultsStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata results components}: how each component did, per kind. */
@Command(name = "components", mixinStandardHelpOptions = true,
        description = {"For each kind (slot) and component: finished trials using it (once per trial, in any layer),",
                "mean and best validation loss, mean parameter count. Best mean first within a kind."})
public final class ComponentsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Option(names = "--search", paramLabel = "ID", description = "Only this search (default: all searches, each trained result once).")
    Long searchId;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Table width (default: COLUMNS, else 120).")
    Integer width;

    @Override
    public Integer call() {
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        ResultsReader reader = new ResultsReader(store);
        if (searchId != null) reader.requireSearch(searchId);
        List<ComponentStat> stats = reader.componentStats(searchId);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode arr = Format.JSON.createArrayNode();
            for (ComponentStat s : stats) {
                ObjectNode o = arr.addObject();
                o.put("kind", s.kind());
                o.put("component", s.component());
                o.put("trials", s.trials());
                o.put("mean_val_loss", Format.orNull(s.meanValLoss()));
                o.put("best_val_loss", Format.orNull(s.bestValLoss()));
                o.put("mean_params", Format.orNull(s.meanParams()));
            }
            out.println(Format.json(arr));
        } else if (stats.isEmpty()) {
            out.println(searchId == null ? "no finished trials yet" : "no finished trials in search " + searchId + " yet");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"kind", "component", "trials", "mean_val_loss", "best_val_loss", "mean_params"});
            for (ComponentStat s : stats) {
                rows.add(new String[] {s.kind(), s.component(), Integer.toString(s.trials()), Format.fixed(s.meanValLoss(), 4),
                        Format.fixed(s.bestValLoss(), 4), Double.isFinite(s.meanParams()) ? Format.count(Math.round(s.meanParams())) : "-"});
            }
            Columns.render(rows, width != null ? Math.max(40, width) : Format.terminalWidth()).forEach(out::println);
        }
        return ExitCodes.OK;
    }
}
