package dev.strata.cli.results;

import dev.strata.cli.ExitCodes;
import dev.strata.core.results.ResultsStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strata results ...}: read what searches recorded. */
@Command(
        name = "results",
        mixinStandardHelpOptions = true,
        description = "Read the results database: best trials, one trial, comparisons, Pareto fronts, components, plots, export, SQL.",
        subcommands = {TopCommand.class, SearchesCommand.class, ShowCommand.class, CompareCommand.class, ParetoCommand.class,
                ComponentsCommand.class, PlotCommand.class, ExportTrialsCommand.class, SqlCommand.class})
public final class ResultsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /**
     * Opens the database of {@code db} for reading and runs {@code body}; the errors a user can
     * cause (no database, a foreign file, refused or broken SQL, an unknown id) become one line on
     * stderr and exit code 2.
     */
    static int withStore(CommandSpec spec, DbOption db, Function<ResultsStore, Integer> body) {
        PrintWriter err = spec.commandLine().getErr();
        try (ResultsStore store = db.openForReading()) {
            return body.apply(store);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("strata: " + oneLine(e.getMessage()));
            err.flush();
            return ExitCodes.BAD_INPUT;
        } finally {
            spec.commandLine().getOut().flush();
        }
    }

    static String oneLine(String message) {
        return message == null ? "error" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
