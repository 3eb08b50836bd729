package dev.strata.cli.bench;

import dev.strata.cli.ExitCodes;
import dev.strata.cli.StrataPaths;
import dev.strata.core.results.ResultsStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata bench overhead SPACE.yaml}: runs {@code bin/strata search SPACE.yaml} as a process
 * on a new database, exactly as a user starts it, and splits its wall time into the time inside
 * training steps (the {@code step_seconds_sum} metric every trial records) and everything else:
 * validations inside the training loop, the rest of each trial (model build, final validation,
 * weights, records) and what lies outside trials (JVM and worker start-up, plugins, database,
 * shut-down). Platform overhead = 1 - steps / (wall x workers).
 */
@Command(name = "overhead", mixinStandardHelpOptions = true, description = {
        "Run 'bin/strata search SPACE.yaml' as a process on a new database and report its wall time minus the time",
        "spent inside training steps (the platform overhead), with a breakdown. See docs/performance.md."})
public final class OverheadBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPACE.yaml", description = "A training search space (search-spaces/quickstart.yaml).")
    Path space;

    @Option(names = "--workers", defaultValue = "1", description = "Workers of the search (default 1).")
    int workers;

    @Option(names = "--keep", description = "Keep the search's database and log (their folder is printed).")
    boolean keep;

    @Option(names = "--runs", defaultValue = "1", description = "Run the search this many times, each on a new database, and report the median (default 1).")
    int runs;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(space)) throw new IllegalArgumentException(space + ": no such file");
        if (workers < 1) throw new IllegalArgumentException("--workers " + workers + ": must be at least 1");
        if (runs < 1) throw new IllegalArgumentException("--runs " + runs + ": must be at least 1");
        Path launcher = StrataPaths.home().resolve("bin/strata");
        if (!Files.isExecutable(launcher)) throw new IllegalStateException(launcher + " not found: bench overhead runs the real launcher");
        PrintWriter out = spec.commandLine().getOut();
        List<Double> shares = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            if (runs > 1) out.printf("run %d of %d%n", run, runs);
            shares.add(runOnce(launcher, out));
        }
        if (runs > 1) {
            double median = TrainingBenchCommand.median(shares.stream().mapToDouble(Double::doubleValue).toArray());
            out.printf(Locale.ROOT, "platform overhead: median %.2f%% of the wall time over %d runs (%s)%n", median, runs,
                    String.join(", ", shares.stream().map(v -> String.format(Locale.ROOT, "%.2f%%", v)).toList()));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** One search as a process on a new database; prints its breakdown and returns its overhead in percent. */
    private double runOnce(Path launcher, PrintWriter out) throws Exception {
        Path dir = Files.createTempDirectory("strata-overhead");
        Path db = dir.resolve("strata");
        Path log = dir.resolve("search.log");
        List<String> cmd = List.of(launcher.toString(), "search", space.toAbsolutePath().toString(), "--db", db.toString(),
                "--workers", Integer.toString(workers), "--quiet");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(2, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the search took over 2 hours; log: " + log);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the search failed (exit " + p.exitValue() + "): " + lastLine(log) + " (log: " + log + ")");
        }
        Totals t = totals(ResultsStore.readerUrl(ResultsStore.urlFor(db.toString())));
        double capacity = wall * workers;
        double overhead = capacity - t.steps;
        double outside = capacity - t.trialWall;
        out.printf(Locale.ROOT, "%s: %d trials (%d trained) with %d worker(s), %.1f s wall as a process%n", space, t.trials, t.trained,
                workers, wall);
        row(out, "inside training steps", t.steps, capacity);
        row(out, "validations inside the training loop", t.loop - t.steps, capacity);
        row(out, "rest of each trial (build, final validation, weights, records)", t.trialWall - t.loop, capacity);
        row(out, "outside trials (JVM, workers, plugins, database, strategy, shut-down)", outside, capacity);
        out.printf(Locale.ROOT, "search %.1f s from its start to its end as recorded; the process %.1f s more%n", t.searchSeconds,
                wall - t.searchSeconds);
        if (workers == 1) steadyState(out, ResultsStore.readerUrl(ResultsStore.urlFor(db.toString())));
        out.printf(Locale.ROOT, "platform overhead (wall x workers - training steps): %.2f s = %.2f%% of the wall time%n", overhead,
                100 * overhead / capacity);
        out.flush();
        if (keep) {
            out.println("kept: " + dir);
        } else {
            deleteTree(dir);
        }
        return 100 * overhead / capacity;
    }

    private record Totals(int trials, int trained, double steps, double loop, double trialWall, double searchSeconds) {}

    private static Totals totals(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url + ";IFEXISTS=TRUE", ResultsStore.READER_USER, ResultsStore.READER_PASSWORD);
                Statement st = c.createStatement()) {
            double steps;
            double loop;
            int trained;
            try (ResultSet rs = st.executeQuery("""
                    SELECT COUNT(*), COALESCE(SUM(s.metric_value), 0), COALESCE(SUM(l.metric_value), 0)
                    FROM trial t JOIN metric s ON s.trial_id = t.id AND s.name = 'step_seconds_sum'
                    JOIN metric l ON l.trial_id = t.id AND l.name = 'train_seconds'
                    WHERE t.cached_from_trial_id IS NULL""")) {
                rs.next();
                trained = rs.getInt(1);
                steps = rs.getDouble(2);
                loop = rs.getDouble(3);
            }
            int trials;
            double trialWall;
            try (ResultSet rs = st.executeQuery("""
                    SELECT COUNT(*), COALESCE(SUM(DATEDIFF('MICROSECOND', started_at, finished_at)), 0) / 1e6 FROM trial""")) {
                rs.next();
                trials = rs.getInt(1);
                trialWall = rs.getDouble(2);
            }
            double search;
            try (ResultSet rs = st.executeQuery("SELECT DATEDIFF('MICROSECOND', started_at, finished_at) / 1e6 FROM search")) {
                rs.next();
                search = rs.getDouble(1);
            }
            return new Totals(trials, trained, steps, loop, trialWall, search);
        }
    }

    /**
     * What a long search tends to, without the process's start and end: from the end of the first
     * trial's training loop to the end of the last one's, the time outside training loops (each
     * trial's build, final validation, weights and records, and the gap to the next trial), per
     * trial and as a share. One worker only: with several, their gaps overlap.
     */
    private static void steadyState(PrintWriter out, String url) throws SQLException {
        List<double[]> trials = new ArrayList<>(); // {start, end, loop seconds} in seconds since the epoch
        try (Connection c = DriverManager.getConnection(url + ";IFEXISTS=TRUE", ResultsStore.READER_USER, ResultsStore.READER_PASSWORD);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("""
                        SELECT EXTRACT(EPOCH FROM t.started_at), EXTRACT(EPOCH FROM t.finished_at), l.metric_value
                        FROM trial t JOIN metric l ON l.trial_id = t.id AND l.name = 'train_seconds'
                        WHERE t.cached_from_trial_id IS NULL ORDER BY t.started_at""")) {
            while (rs.next()) trials.add(new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)});
        }
        if (trials.size() < 3) return;
        double span = 0;
        double loops = 0;
        List<Double> perTrial = new ArrayList<>();
        for (int i = 1; i < trials.size(); i++) {
            double[] previous = trials.get(i - 1);
            double[] t = trials.get(i);
            double from = previous[1]; // the previous trial's end: its own tail was counted with it
            double outsideLoop = (t[1] - from) - t[2];
            span += t[1] - from;
            loops += t[2];
            perTrial.add(outsideLoop);
        }
        double median = TrainingBenchCommand.median(perTrial.stream().mapToDouble(Double::doubleValue).toArray());
        out.printf(Locale.ROOT, "steady state (trials 2-%d): %.0f ms per trial outside its training loop (median), %.2f%% of their time;"
                + " add the loop's validations for the share outside training steps%n", trials.size(), 1000 * median,
                100 * (span - loops) / span);
    }

    private static void row(PrintWriter out, String what, double seconds, double capacity) {
        out.printf(Locale.ROOT, "  %-72s %8.2f s %6.2f%%%n", what, seconds, 100 * seconds / capacity);
    }

    private static String lastLine(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path f : all) Files.deleteIfExists(f);
    }
}
