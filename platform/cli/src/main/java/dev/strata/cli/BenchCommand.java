package dev.strata.cli;

import dev.strata.cli.bench.MemoryBenchCommand;
import dev.strata.cli.bench.OverheadBenchCommand;
import dev.strata.cli.bench.TrainingBenchCommand;
import dev.strata.core.replay.StrategyBench;
import dev.strata.core.space.TabularSpace;
import dev.strata.core.space.TabularSpaceLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata bench ...}: benchmarks. */
@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Strategies.class, TrainingBenchCommand.class, MemoryBenchCommand.class, OverheadBenchCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code strata bench strategies FILE.yaml}: every strategy over many seeds on a tabular space. */
    @Command(name = "strategies", description = {
            "Run every strategy (or one) over seeds 1..N on a tabular search space and report, per strategy, the median and",
            "90th percentile of evaluations until within --gap of the table's best value, and how many runs got there.",
            "Percentiles are over all runs, a run that never gets there counting as not reaching ('-' / null): nearest rank."})
    public static final class Strategies implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE.yaml", description = "A search space of kind: tabular.")
        Path file;

        @Option(names = "--seeds", defaultValue = "100", description = "Runs per strategy, seeds 1..N (default 100).")
        int seeds;

        @Option(names = "--gap", defaultValue = "0.5", description = "Within this of the table's best counts as found (default 0.5).")
        double gap;

        @Option(names = "--strategy", paramLabel = "NAME", description = "Only this strategy.")
        String strategy;

        @Option(names = "--json", description = "Print a JSON array instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (seeds < 1) throw new IllegalArgumentException("--seeds " + seeds + ": must be at least 1");
            if (!(gap >= 0)) throw new IllegalArgumentException("--gap " + gap + ": must be zero or positive");
            if (strategy != null && !TabularSpace.STRATEGIES.contains(strategy)) {
                throw new IllegalArgumentException("--strategy " + strategy + ": unknown (known: " + String.join(", ", TabularSpace.STRATEGIES) + ")");
            }
            if (!TabularSpaceLoader.isTabular(file)) throw new IllegalArgumentException(file + ": not a search space of kind: tabular");
            TabularSpace space = new TabularSpaceLoader().load(file);
            List<String> names = strategy != null ? List.of(strategy) : TabularSpace.STRATEGIES;
            List<StrategyBench.Row> rows = StrategyBench.run(space, names, seeds, gap);
            if (json) {
                StringBuilder b = new StringBuilder("[");
                for (StrategyBench.Row r : rows) {
                    if (b.length() > 1) b.append(",\n ");
                    b.append(String.format(Locale.ROOT,
                            "{\"strategy\": \"%s\", \"default\": %b, \"median\": %s, \"p90\": %s, \"succeeded\": %d, \"runs\": %d, \"metric\": \"%s\", \"gap\": %s, \"budget\": %d, \"millis\": %d}",
                            r.strategy(), r.isDefault(), r.median(), r.p90(), r.succeeded(), r.runs(), space.metric(), gap, space.budget(), r.millis()));
                }
                out.println(b.append("]"));
            } else {
                out.printf(Locale.ROOT, "%s: %s %s on %s, table best %s, gap %s, budget %d evaluations, seeds 1..%d%n", space.name(),
                        space.maximize() ? "maximize" : "minimize", space.metric(), space.table().getFileName(),
                        SearchCommand.num(space.tableBest()), SearchCommand.num(gap), space.budget(), seeds);
                TextTable t = new TextTable(40, "strategy", "median", "p90", "reached", "time");
                for (StrategyBench.Row r : rows) {
                    t.row(r.strategy() + (r.isDefault() ? " (default)" : ""), r.median() == null ? "-" : r.median(),
                            r.p90() == null ? "-" : r.p90(), r.succeeded() + "/" + r.runs(), r.millis() + " ms");
                }
                t.print(out);
                out.println("median, p90: evaluations until within the gap, over all runs; '-': that run did not get there within the budget");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
