package dev.strata.cli.results;

import dev.strata.cli.StrataCli;
import dev.strata.core.results.ResultsStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Times the results commands in this JVM on a large database (generated with
 * {@link SyntheticResults} when missing): for each command the first run (class loading and H2's
 * first reads included) and the median of the next runs. Each run opens and closes the database as
 * the command does. JVM start-up is not included; {@code bench/results.sh} measures whole processes too.
 *
 * <pre>
 * java -cp ... dev.strata.cli.results.ResultsBench --db PATH [--trials 10000] [--runs 5]
 * </pre>
 */
public final class ResultsBench {

    private ResultsBench() {}

    public static void main(String[] args) throws Exception {
        String db = null;
        int trials = 10_000;
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> db = args[++i];
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--db PATH --trials N --runs R)");
            }
        }
        if (db == null) throw new IllegalArgumentException("--db PATH is required");
        System.setProperty("java.awt.headless", "true");
        if (!Files.exists(Path.of(db + ResultsStore.FILE_SUFFIX))) {
            long t0 = System.nanoTime();
            SyntheticResults.Generated g = SyntheticResults.fill(ResultsStore.urlFor(db), trials, 1, 1);
            System.out.printf(Locale.ROOT, "generated %d trials in %.1f s%n", g.trials(), (System.nanoTime() - t0) / 1e9);
        }
        String search = "1";
        String best = firstColumn(run("results", "top", "-n", "2", "--search", search, "--db", db));
        String[] top2 = best.split("\n");
        Path tmp = Files.createTempDirectory("strata-results-bench");
        List<String[]> commands = List.of(
                new String[] {"results", "top", "--db", db},
                new String[] {"results", "top", "--search", search, "--db", db},
                new String[] {"results", "pareto", "--search", search, "--db", db},
                new String[] {"results", "pareto", "--search", search, "--objectives", "val_loss:min,params:min,flops_per_token:min", "--db", db},
                new String[] {"results", "components", "--search", search, "--db", db},
                new String[] {"results", "components", "--db", db},
                new String[] {"results", "show", top2[0], "--db", db},
                new String[] {"results", "compare", top2[0], top2[1], "--db", db},
                new String[] {"results", "export", "--format", "csv", "--search", search, "--out", tmp.resolve("t.csv").toString(), "--db", db},
                new String[] {"results", "plot", "progress", "--search", search, "--out", tmp.toString(), "--db", db});
        System.out.printf(Locale.ROOT, "%-100s %10s %12s%n", "command (in one JVM; database opened and closed each run)", "first ms", "median ms");
        for (String[] c : commands) {
            double first = time(c);
            double[] rest = new double[runs];
            for (int i = 0; i < runs; i++) rest[i] = time(c);
            Arrays.sort(rest);
            String shown = String.join(" ", c).replace(db, "DB").replace(tmp.toString(), "TMP");
            System.out.printf(Locale.ROOT, "%-100s %10.0f %12.0f%n", shown, first, rest[runs / 2]);
        }
        try (var files = Files.walk(tmp)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static double time(String[] args) {
        long t0 = System.nanoTime();
        String out = run(args);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (out == null) throw new IllegalStateException("command failed: " + String.join(" ", args));
        return ms;
    }

    /** Runs a command; its output, or null when it exits non-zero. */
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = StrataCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        if (code != 0) {
            System.err.println(String.join(" ", args) + ": exit " + code + ": " + err);
            return null;
        }
        return out.toString();
    }

    /** The first column of a table's data rows, one per line. */
    private static String firstColumn(String table) {
        List<String> ids = new ArrayList<>();
        List<String> lines = table.lines().toList();
        for (int i = 2; i < lines.size(); i++) ids.add(lines.get(i).strip().split("\\s+")[0]);
        return String.join("\n", ids);
    }
}
