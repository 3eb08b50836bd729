package dev.strata.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.StrataPaths;
import dev.strata.core.plugins.PluginHost;
import dev.strata.core.space.ArchitectureFile;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import dev.strata.core.worker.WorkerConfig;
import dev.strata.core.worker.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata bench memory ARCH.yaml --steps 10000}: trains one long trial in a worker process and
 * samples the worker's resident memory (VmRSS of /proc/PID/status, read here from outside the worker)
 * each time the worker reports progress. A leak of even a few bytes per step shows as growth between
 * step 1,000 (allocator, JIT and caches warm) and the last step.
 */
@Command(name = "memory", mixinStandardHelpOptions = true, description = {
        "Train one architecture file for many steps in a worker and print the worker's resident memory along the way,",
        "and its growth from step --from (default 1000) to the end. Linux only (reads /proc)."})
public final class MemoryBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ARCH.yaml", description = "The architecture file.")
    Path file;

    @Option(names = "--steps", defaultValue = "10000", description = "Steps to train (default 10000).")
    int steps;

    @Option(names = "--from", defaultValue = "1000", description = "Growth is measured from the first sample at or after this step (default 1000).")
    int from;

    @Option(names = "--warmup-steps", defaultValue = "500", description = {
            "First train a trial of this many steps in the same worker (default 500; 0: none), as a search's worker has",
            "trained earlier trials: the JIT compiles the training and validation code once, and that memory is not a leak."})
    int warmupSteps;

    @Option(names = "--threads", paramLabel = "T", description = "libtorch threads (default: all cores).")
    Integer threads;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder (default: STRATA_PLUGINS or build/plugins).")
    Path plugins;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (steps < 2) throw new IllegalArgumentException("--steps " + steps + ": must be at least 2");
        if (from < 1 || from >= steps) throw new IllegalArgumentException("--from " + from + ": must be in [1, steps)");
        if (!Files.isReadable(Path.of("/proc/self/status"))) throw new IllegalStateException("bench memory needs Linux's /proc");
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        PrintWriter out = spec.commandLine().getOut();
        Path pluginDir = plugins != null ? plugins : StrataPaths.defaultPlugins();
        Map<Integer, Long> rss = new TreeMap<>();
        TrialResult result;
        try (PluginHost host = PluginHost.load(pluginDir);
                WorkerPool pool = new WorkerPool(WorkerConfig.of(host.folder(), "cpu", 1).withThreadsPerWorker(t))) {
            ArchitectureFile arch = ArchitectureFile.load(file, host.registry());
            Recipe base = arch.recipe().withSteps(steps);
            // Progress arrives every eval_every / 5 steps; a validation every 500 steps keeps it in the loop, as in a
            // search, and the first one (JIT of its code path) falls before --from.
            int every = Math.min(500, steps);
            Recipe recipe = base.forRun(steps, every).withTimeLimit(Integer.MAX_VALUE);
            if (!json) {
                out.printf(Locale.ROOT, "%s: %s, %d steps, %d thread(s); worker resident memory (MiB) by step:%n", file,
                        arch.architecture().summary(), steps, t);
                out.flush();
            }
            if (warmupSteps > 0) {
                int w = Math.min(warmupSteps, steps);
                Recipe warm = base.forRun(w, Math.max(1, w / 2)).withTimeLimit(Integer.MAX_VALUE);
                TrialResult warmed = pool.submit(new TrialRequest(0, arch.architecture(), arch.task(), warm, arch.seed() + 1)).join();
                if (!warmed.ok()) throw new IllegalStateException(file + ": the warm-up trial failed: " + warmed.error());
                if (!json) {
                    out.printf(Locale.ROOT, "(after a %d-step warm-up trial in the same worker: %.1f MiB)%n", w,
                            residentKb(pool.workers().getFirst().pid()) / 1024.0);
                    out.flush();
                }
            }
            result = pool.submit(new TrialRequest(1, arch.architecture(), arch.task(), recipe, arch.seed()), (id, step, loss) -> {
                long pid = pool.workers().getFirst().pid();
                long kb = residentKb(pid);
                if (kb > 0) rss.put(step, kb);
            }).join();
        }
        if (!result.ok()) throw new IllegalStateException(file + ": the trial failed: " + result.error());
        Map.Entry<Integer, Long> start = rss.entrySet().stream().filter(e -> e.getKey() >= from).findFirst()
                .orElseThrow(() -> new IllegalStateException("no memory sample at or after step " + from));
        Map.Entry<Integer, Long> end = ((TreeMap<Integer, Long>) rss).lastEntry();
        long peak = rss.entrySet().stream().filter(e -> e.getKey() >= from).mapToLong(Map.Entry::getValue).max().orElse(0);
        double growth = 100.0 * (end.getValue() - start.getValue()) / start.getValue();
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("steps", steps);
            o.put("from_step", start.getKey());
            o.put("rss_mb_from", start.getValue() / 1024.0);
            o.put("to_step", end.getKey());
            o.put("rss_mb_to", end.getValue() / 1024.0);
            o.put("rss_mb_peak_after_from", peak / 1024.0);
            o.put("growth_percent", growth);
            o.put("step_ms", result.metric("step_seconds") * 1e3);
            ObjectNode samples = o.putObject("rss_mb_by_step");
            rss.forEach((s, kb) -> samples.put(Integer.toString(s), kb / 1024.0));
            out.println(o.toPrettyString());
        } else {
            int stride = Math.max(1, rss.size() / 20);
            int i = 0;
            StringBuilder line = new StringBuilder();
            for (Map.Entry<Integer, Long> e : rss.entrySet()) {
                if (i++ % stride == 0 || e.getKey().equals(end.getKey())) {
                    line.append(String.format(Locale.ROOT, " %d:%.1f", e.getKey(), e.getValue() / 1024.0));
                }
            }
            out.println(" " + line.toString().strip());
            out.printf(Locale.ROOT, "worker memory step %,d -> %,d: %.1f -> %.1f MiB (%+.2f%%), peak after step %,d %.1f MiB; %.2f ms/step%n",
                    start.getKey(), end.getKey(), start.getValue() / 1024.0, end.getValue() / 1024.0, growth, start.getKey(),
                    peak / 1024.0, result.metric("step_seconds") * 1e3);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** VmRSS of a process in KiB, or -1 when it cannot be read (the process is gone). */
    static long residentKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the worker exited between the report and the read
        }
        return -1;
    }
}
