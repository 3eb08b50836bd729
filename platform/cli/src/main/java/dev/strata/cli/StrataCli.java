package dev.strata.cli;

import dev.strata.cli.plugins.PluginsCommand;
import dev.strata.cli.results.ResultsCommand;
import dev.strata.cli.serve.ServeCommand;
import dev.strata.core.space.SpaceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code strata} command. */
@Command(
        name = "strata",
        mixinStandardHelpOptions = true,
        version = "strata 0.1.0",
        description = "Plugin-based neural-architecture search: compose models from component plugins, train them, evolve them, keep every result.",
        subcommands = {PluginsCommand.class, SearchCommand.class, ResultsCommand.class, ExportCommand.class, TrainCommand.class, ServeCommand.class, BenchCommand.class})
public final class StrataCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with Strata's error handling: bad input is one line on stderr and exit 2. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new StrataCli());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof SpaceException || ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
                commandLine.getErr().println("strata: " + oneLine(ex.getMessage()));
                return ExitCodes.BAD_INPUT;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("strata: " + oneLine(ex.getMessage()));
            ex.getCommandLine().getErr().println("(see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.BAD_INPUT;
        });
        return cl;
    }

    private static String oneLine(String message) {
        return message == null ? "error" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
