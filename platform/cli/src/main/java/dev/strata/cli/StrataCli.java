package dev.strata.cli;

import dev.strata.cli.plugins.PluginsCommand;
import dev.strata.cli.results.ResultsCommand;
import dev.strata.cli.serve.ServeCommand;
import dev.strata.core.space.SpaceException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code strata} command. */
@Command(
        name = "strata",
        mixinStandardHelpOptions = true,
        version = "strata 0.1.0",
        description = "Plugin-based neural-architecture search: compose models from component plugins, train them, evolve them, keep every result.")
public final class StrataCli implements Runnable {

    /**
     * The subcommands by name (each one's {@code @Command(name)}), in the order help lists them.
     * They are added in code rather than in {@code @Command(subcommands)} so that a command line
     * can be built with only the one the user runs: picocli reads every option of every command
     * it is given, which took about 0.4 s of each start against 0.17 s for one (docs/performance.md).
     */
    static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("plugins", PluginsCommand::new);
        m.put("search", SearchCommand::new);
        m.put("results", ResultsCommand::new);
        m.put("export", ExportCommand::new);
        m.put("train", TrainCommand::new);
        m.put("serve", ServeCommand::new);
        m.put("bench", BenchCommand::new);
        return Collections.unmodifiableMap(m);
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Every command, with Strata's error handling: bad input is one line on stderr and exit 2. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS.keySet());
    }

    /**
     * The command line {@code args} need: only the subcommand they name when they start with one,
     * else (help, version, a typo) every command, so that usage and suggestions stay complete.
     */
    static CommandLine commandLineFor(String[] args) {
        if (args.length > 0 && COMMANDS.containsKey(args[0])) return commandLine(List.of(args[0]));
        return commandLine();
    }

    private static CommandLine commandLine(Collection<String> names) {
        CommandLine cl = new CommandLine(new StrataCli());
        for (String name : names) cl.addSubcommand(name, COMMANDS.get(name).get());
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
        System.exit(commandLineFor(args).execute(args));
    }
}
