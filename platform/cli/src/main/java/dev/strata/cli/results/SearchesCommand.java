package dev.strata.cli.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.TextTable;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.SearchSummary;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata results searches}: every search with its best trial. */
@Command(name = "searches", mixinStandardHelpOptions = true, description = "Every search recorded, with its best trial.")
public final class SearchesCommand implements Callable<Integer> {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Mixin
    DbOption db;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return ResultsCommand.withStore(spec, db, this::run);
    }

    private int run(ResultsStore store) {
        PrintWriter out = spec.commandLine().getOut();
        List<SearchSummary> searches = store.searches();
        if (json) {
            ArrayNode arr = Format.JSON.createArrayNode();
            for (SearchSummary s : searches) {
                ObjectNode o = arr.addObject();
                o.put("id", s.id());
                o.put("name", s.name());
                o.put("strategy", s.strategy());
                o.put("seed", s.seed());
                o.put("status", s.status());
                o.put("trials", s.trials());
                o.put("best_trial_id", s.bestTrialId());
                o.put("best_val_loss", s.bestValLoss());
                o.put("started_at", s.startedAt() == null ? null : s.startedAt().toString());
                o.put("finished_at", s.finishedAt() == null ? null : s.finishedAt().toString());
            }
            try {
                out.println(Format.JSON.writeValueAsString(arr));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
            }
        } else if (searches.isEmpty()) {
            out.println("no searches yet");
        } else {
            TextTable t = new TextTable(40, "id", "name", "strategy", "seed", "status", "trials", "best", "best_val_loss", "started");
            for (SearchSummary s : searches) {
                t.row(s.id(), s.name(), s.strategy(), s.seed(), s.status(), s.trials(),
                        s.bestTrialId() == null ? "-" : s.bestTrialId(),
                        s.bestValLoss() == null ? "-" : Format.fixed(s.bestValLoss(), 4),
                        s.startedAt() == null ? "-" : WHEN.format(s.startedAt()));
            }
            t.print(out);
        }
        return ExitCodes.OK;
    }
}
