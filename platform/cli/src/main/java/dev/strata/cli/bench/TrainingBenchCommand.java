package dev.strata.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.api.Component;
import dev.strata.api.Params;
import dev.strata.api.TaskProvider;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.StrataPaths;
import dev.strata.cli.TextTable;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.plugins.ComponentRegistry;
import dev.strata.core.plugins.PluginHost;
import dev.strata.core.space.ArchitectureFile;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import dev.strata.core.worker.WorkerConfig;
import dev.strata.core.worker.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code strata bench training ARCH.yaml...}: steady-state training step time of each architecture in
 * a Strata worker process (as a search trains it) against the same model hand-written in PyTorch
 * ({@code bench/training.py}), same batch, recipe, optimizer and thread count, in one run.
 *
 * <p>Runs alternate between the two (Strata, PyTorch, Strata, ...) so that a change in the machine's
 * load hits both alike. The first {@code --warmup-runs} of each are left out: a search's worker is
 * warm after its first trial (JIT, allocator), and so is a Python process after its first steps.
 * Each run's figure is the median step time over its steps; the shape's figure the median of its
 * runs. The last line printed is {@code worst ratio strata/pytorch: X.XX}.
 */
@Command(name = "training", mixinStandardHelpOptions = true, description = {
        "Steady-state training step time of architecture files in a Strata worker against the same model in PyTorch",
        "(bench/training.py, Debian's python3-torch), alternating runs; prints per shape the medians and their ratio,",
        "and last 'worst ratio strata/pytorch: X.XX'. See docs/performance.md."})
public final class TrainingBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "ARCH.yaml", description = "Architecture files (bench/arch/*.yaml).")
    List<Path> files;

    @Option(names = "--steps", paramLabel = "N", description = "Steps per run (default: each file's recipe).")
    Integer steps;

    @Option(names = "--runs", defaultValue = "5", description = "Measured runs per side and shape (default 5).")
    int runs;

    @Option(names = "--warmup-runs", defaultValue = "1", description = "Runs per side left out first (default 1).")
    int warmupRuns;

    @Option(names = "--threads", paramLabel = "T", description = "libtorch threads on both sides (default: all cores).")
    Integer threads;

    @Option(names = "--pytorch-intra-op", paramLabel = "N", defaultValue = "1", description = {
            "PyTorch's intra-op (OpenMP) threads (default 1); its OpenBLAS always gets --threads. 1 + OpenBLAS on all",
            "cores is Debian torch's own default on this machine and its fastest setting (docs/performance.md)."})
    int pytorchIntraOp;

    @Option(names = "--run-seconds", paramLabel = "S", defaultValue = "8", description = {
            "Without --steps: each measured run trains about S seconds, the steps set from the warm-up run's step time",
            "(default 8; at least 20 and at most 5000 steps). The warm-up runs train min(recipe steps, 100) steps."})
    double runSeconds;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default /usr/bin/python3, Debian's).")
    String python;

    @Option(names = "--script", paramLabel = "FILE", description = "The PyTorch script (default: bench/training.py under the Strata home).")
    Path script;

    @Option(names = "--strata-only", description = "Do not run PyTorch (no ratio).")
    boolean strataOnly;

    @Option(names = "--device", defaultValue = "cpu", description = "The worker's device: cpu (default), gpu or gpu:N (use --strata-only there).")
    String device;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder (default: STRATA_PLUGINS or build/plugins).")
    Path plugins;

    @Option(names = "--json", description = "Print a JSON array instead of the table.")
    boolean json;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One shape's measurements. */
    record Shape(String name, long params, int steps, int tokensPerStep, double[] strataMs, double[] pytorchMs) {
        double strata() {
            return median(strataMs);
        }

        double pytorch() {
            return pytorchMs.length == 0 ? Double.NaN : median(pytorchMs);
        }

        double ratio() {
            return strata() / pytorch();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1) throw new IllegalArgumentException("--runs " + runs + ": must be at least 1");
        if (warmupRuns < 0) throw new IllegalArgumentException("--warmup-runs " + warmupRuns + ": must not be negative");
        if (steps != null && steps < 2) throw new IllegalArgumentException("--steps " + steps + ": must be at least 2");
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1) throw new IllegalArgumentException("--threads " + t + ": must be at least 1");
        Path py = script != null ? script : StrataPaths.home().resolve("bench/training.py");
        if (!strataOnly && !Files.isRegularFile(py)) throw new IllegalArgumentException("--script " + py + ": no such file");
        if (!strataOnly && !Files.isExecutable(Path.of(python))) {
            throw new IllegalArgumentException("--python " + python + ": not found (bench/training.sh installs Debian's python3-torch)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path pluginDir = plugins != null ? plugins : StrataPaths.defaultPlugins();
        List<Shape> shapes = new ArrayList<>();
        try (PluginHost host = PluginHost.load(pluginDir);
                WorkerPool pool = new WorkerPool(WorkerConfig.of(host.folder(), device, 1).withThreadsPerWorker(t))) {
            ComponentRegistry registry = host.registry();
            for (Path file : files) {
                shapes.add(measure(out, file, registry, pool, t, py));
            }
        }
        print(out, shapes, t);
        return ExitCodes.OK;
    }

    private Shape measure(PrintWriter out, Path file, ComponentRegistry registry, WorkerPool pool, int t, Path py) throws IOException,
            InterruptedException {
        ArchitectureFile arch = ArchitectureFile.load(file, registry);
        Recipe recipe = steps == null ? arch.recipe() : arch.recipe().withSteps(steps);
        // No validation inside the timed loop's span: evaluate once, at the end (not a step).
        recipe = recipe.forRun(recipe.steps(), recipe.steps()).withTimeLimit(Math.max(recipe.timeLimitSeconds(), 24 * 3600));
        TaskProvider provider = registry.require(arch.task().id(), TaskProvider.class);
        Params taskParams = ModelComposer.resolveParams(provider, arch.task().params());
        List<String> reference = strataOnly ? List.of() : PyTorchReference.arguments(file.toString(), arch.architecture(),
                arch.task().id(), taskParams, recipe, t, 1,
                (id, p) -> ModelComposer.resolveParams(registry.require(id, Component.class), p));
        String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        int length = provider.create(taskParams, arch.task().dataSeed(), Path.of(".")).sequenceLength();
        if (!json) {
            out.printf(Locale.ROOT, "%s: %s, batch %d x %d tokens, %d thread(s) (PyTorch: %d intra-op, OpenBLAS %d), %d+%d runs per side%n",
                    name, arch.architecture().summary(), recipe.batchSize(), length, t, pytorchIntraOp, t, warmupRuns, runs);
            out.flush();
        }
        List<Double> strata = new ArrayList<>();
        List<Double> pytorch = new ArrayList<>();
        long params = -1;
        boolean auto = steps == null && warmupRuns > 0;
        Recipe warmRecipe = auto ? recipe.forRun(Math.min(recipe.steps(), 100), Math.min(recipe.steps(), 100)) : recipe;
        Recipe runRecipe = warmRecipe;
        for (int run = 0; run < warmupRuns + runs; run++) {
            boolean counted = run >= warmupRuns;
            long seed = arch.seed() + run;
            TrialResult r = pool.submit(new TrialRequest(run + 1, arch.architecture(), arch.task(), runRecipe, seed)).join();
            if (!r.ok()) throw new IllegalStateException(file + ": Strata's run failed: " + r.error());
            params = Math.round(r.metric("params"));
            double strataMs = r.metric("step_seconds") * 1e3;
            double pytorchMs = Double.NaN;
            if (!strataOnly) {
                List<String> args = new ArrayList<>(reference);
                args.set(args.indexOf("--seed") + 1, Long.toString(run + 1));
                args.set(args.indexOf("--threads") + 1, Integer.toString(pytorchIntraOp));
                args.set(args.indexOf("--steps") + 1, Integer.toString(runRecipe.steps()));
                args.set(args.indexOf("--warmup") + 1, Integer.toString(runRecipe.warmupSteps()));
                pytorchMs = runPython(py, args, t).path("median_step_ms").asDouble(Double.NaN);
            }
            if (auto && run == warmupRuns - 1) {
                // From here on, runs of about --run-seconds each.
                int n = (int) Math.max(20, Math.min(5000, Math.round(runSeconds * 1e3 / strataMs)));
                runRecipe = recipe.forRun(n, n);
                if (!json) {
                    out.printf(Locale.ROOT, "  measured runs: %d steps each (about %.0f s at the warm-up's step time)%n", n, runSeconds);
                }
            }
            if (counted) {
                strata.add(strataMs);
                if (!strataOnly) pytorch.add(pytorchMs);
            }
            if (!json) {
                out.printf(Locale.ROOT, "  run %d%s: strata %.2f ms/step%s%n", run + 1, counted ? "" : " (warm-up, left out)", strataMs,
                        strataOnly ? "" : String.format(Locale.ROOT, ", pytorch %.2f ms/step", pytorchMs));
                out.flush();
            }
        }
        return new Shape(name, params, runRecipe.steps(), recipe.batchSize() * length, toArray(strata), toArray(pytorch));
    }

    /** Runs the PyTorch script once and returns the JSON object it prints last. */
    private JsonNode runPython(Path py, List<String> args, int t) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(python);
        cmd.add(py.toString());
        cmd.addAll(args);
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The same thread settings the worker gets (WorkerConfig.environment), and OpenBLAS's own.
        b.environment().put("OMP_NUM_THREADS", Integer.toString(pytorchIntraOp));
        b.environment().put("MKL_NUM_THREADS", Integer.toString(t));
        b.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(t));
        Process p = b.start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
            String last = text.lines().reduce((a, c) -> c).orElse("");
            throw new IllegalStateException(py + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "): " + last);
        }
        String last = text.lines().filter(l -> l.startsWith("{")).reduce((a, c) -> c)
                .orElseThrow(() -> new IllegalStateException(py + " printed no JSON result: " + text.strip()));
        return JSON.readTree(last);
    }

    private void print(PrintWriter out, List<Shape> shapes, int t) {
        double worst = shapes.stream().mapToDouble(Shape::ratio).max().orElse(Double.NaN);
        if (json) {
            ArrayNode a = JSON.createArrayNode();
            for (Shape s : shapes) {
                ObjectNode o = a.addObject();
                o.put("shape", s.name());
                o.put("params", s.params());
                o.put("steps", s.steps());
                o.put("threads", t);
                o.put("strata_ms_per_step", s.strata());
                o.put("strata_tokens_per_second", s.tokensPerStep() / s.strata() * 1e3);
                ArrayNode strataRuns = o.putArray("strata_runs_ms");
                for (double v : s.strataMs()) strataRuns.add(v);
                if (!strataOnly) {
                    o.put("pytorch_ms_per_step", s.pytorch());
                    o.put("pytorch_tokens_per_second", s.tokensPerStep() / s.pytorch() * 1e3);
                    o.put("ratio", s.ratio());
                    ArrayNode pytorchRuns = o.putArray("pytorch_runs_ms");
                    for (double v : s.pytorchMs()) pytorchRuns.add(v);
                }
            }
            out.println(a.toPrettyString());
        } else {
            out.println();
            TextTable table = new TextTable(24, "shape", "params", "strata ms/step", "pytorch ms/step", "strata/pytorch",
                    "strata tok/s", "pytorch tok/s");
            for (Shape s : shapes) {
                table.row(s.name(), String.format(Locale.ROOT, "%,d", s.params()), fmt(s.strata()), fmt(s.pytorch()), fmt(s.ratio()),
                        String.format(Locale.ROOT, "%,.0f", s.tokensPerStep() / s.strata() * 1e3),
                        strataOnly ? "-" : String.format(Locale.ROOT, "%,.0f", s.tokensPerStep() / s.pytorch() * 1e3));
            }
            table.print(out);
            double[] load = loadAverage();
            out.printf(Locale.ROOT, "medians of %d runs per side, each the median step time of its run; %d thread(s); load average %s%n",
                    runs, t, Arrays.toString(load));
        }
        if (!strataOnly) out.printf(Locale.ROOT, "worst ratio strata/pytorch: %.2f%n", worst);
        out.flush();
    }

    private static double[] loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
        }
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "-";
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
