package dev.strata.cli.plugins;

import dev.strata.api.Component;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.TextTable;
import dev.strata.core.conformance.TrainingSpeed;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.PluginHost;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata plugins bench}: training speed of a baseline transformer with each component swapped
 * in, relative to the baseline. A component over {@code --limit} times the baseline whose catalogue
 * entry has no notes is flagged, and the command exits 1.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time a training step (forward + backward) of a small model with each component swapped into a",
                "baseline (attention.mha, mixer.mlp, norm.rms, residual.pre_norm), relative to the baseline."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PluginsFolder plugins;

    @Option(names = "--component", paramLabel = "ID", description = "Only these component ids (repeatable).")
    List<String> only = new ArrayList<>();

    @Option(names = "--d-model", defaultValue = "64", description = "Width (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--seq", defaultValue = "64", description = "Sequence length (default ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--depth", defaultValue = "2", description = "Layers (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps after 3 warm-up steps; the median is reported (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threads", defaultValue = "1", description = "libtorch threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--limit", defaultValue = "3.0", description = "Flag components slower than this many times the baseline without a note (default ${DEFAULT-VALUE}).")
    double limit;

    @Override
    public Integer call() {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        TrainingSpeed.Settings settings = new TrainingSpeed.Settings(dModel, seq, batch, depth, 3, steps);
        PrintWriter out = spec.commandLine().getOut();
        try (PluginHost host = plugins.load()) {
            for (String id : only) {
                if (host.registry().find(id).isEmpty()) throw new IllegalArgumentException("--component " + id + ": no such component");
            }
            List<Component> components = host.registry().all().stream()
                    .filter(c -> only.isEmpty() || only.contains(c.id())).map(ComponentInfo::component).toList();
            List<TrainingSpeed.Measurement> results = new TrainingSpeed(host.registry(), settings).measure(components);
            TextTable table = new TextTable(60, "KIND", "ID", "MS/STEP", "X BASELINE", "NOTE");
            int flagged = 0;
            for (TrainingSpeed.Measurement m : results) {
                String note = m.error().isEmpty() ? "" : "error: " + m.error();
                Component c = host.registry().find(m.componentId()).map(ComponentInfo::component).orElse(null);
                if (c != null && m.ratio() > limit) {
                    if (c.notes().isBlank()) {
                        note = "SLOWER THAN " + limit + "x WITHOUT A NOTE";
                        flagged++;
                    } else {
                        note = "noted: " + c.notes();
                    }
                }
                table.row(m.kind().name().toLowerCase(), m.componentId(), fixed(m.millisPerStep(), 1), fixed(m.ratio(), 2), note);
            }
            table.print(out);
            out.printf(Locale.ROOT, "d_model %d, seq %d, batch %d, %d layers, %d libtorch thread(s), median of %d steps%n",
                    dModel, seq, batch, depth, threads, steps);
            return flagged == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
