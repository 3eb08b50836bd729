package dev.strata.cli;

import dev.strata.core.plugins.PluginHost;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.WeightStore;
import dev.strata.core.space.ArchitectureFile;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata train ARCH.yaml}: trains one architecture (as {@code strata export} writes it) in a
 * worker, records it as the only trial of a search with strategy {@code train}, keeps its weights,
 * and prints its validation loss.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train one architecture file (written by 'strata export', or by hand) and record it as a one-trial search.",
                "With the file's recipe and seed the result reproduces the exported trial; --steps N trains longer (e.g. at full budget)."})
public final class TrainCommand implements Callable<Integer> {

    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ARCH.yaml", description = "The architecture file.")
    Path file;

    @Option(names = "--steps", paramLabel = "N", description = "Train this many steps instead of the recipe's (warmup is kept, capped at N).")
    Integer steps;

    @Option(names = "--seed", paramLabel = "N", description = "Initialisation and batch-order seed instead of the file's.")
    Long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), gpu or gpu:N.")
    String device;

    @Option(names = "--db", paramLabel = "PATH|URL", description = "Results database (default: STRATA_DB or results/strata).")
    String db;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder (default: STRATA_PLUGINS or build/plugins).")
    Path plugins;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (!DEVICE.matcher(device).matches()) throw new IllegalArgumentException("--device " + device + ": expected cpu, gpu or gpu:N");
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps " + steps + ": must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        Path pluginDir = plugins != null ? plugins : StrataPaths.defaultPlugins();
        try (PluginHost host = PluginHost.load(pluginDir)) {
            ArchitectureFile arch = ArchitectureFile.load(file, host.registry());
            Recipe recipe = steps == null ? arch.recipe() : withSteps(arch.recipe(), steps);
            long trialSeed = seed != null ? seed : arch.seed();
            String taskKey = arch.task().canonical();
            String recipeKey = recipe.canonical() + ",seed=" + arch.trainingSeed();
            String url = ResultsStore.urlFor(db != null ? db : StrataPaths.defaultDatabase());
            try (ResultsStore store = ResultsStore.open(url)) {
                String name = "train " + file.getFileName();
                long searchId = store.createSearch(new NewSearch(name, file.toString(), arch.yaml(), trialSeed, "train", taskKey, recipeKey,
                        1, device));
                long trialId = store.startTrial(new NewTrial(searchId, 1, 0, null, arch.architecture(), taskKey, recipeKey, trialSeed, device,
                        recipe.json(arch.trainingSeed()), null));
                if (!json) {
                    out.printf(Locale.ROOT, "training %s: %d steps on %s, seed %d (search %d, trial %d)%n", arch.architecture().summary(),
                            recipe.steps(), arch.task().id(), trialSeed, searchId, trialId);
                    if (!arch.fingerprintMatches()) out.println("note: the architecture differs from the one exported (the file was edited)");
                    out.flush();
                }
                TrialRequest request = WeightStore.of(store).attach(searchId,
                        new TrialRequest(trialId, arch.architecture(), arch.task(), recipe, trialSeed));
                TrialResult result = OneTrial.train(host.folder(), device, request);
                store.finishTrial(trialId, result);
                store.finishSearch(searchId, result.ok() ? "finished" : "failed", result.ok() ? trialId : null);
                return report(out, arch, recipe, searchId, trialId, result, request.weightsFile());
            }
        }
    }

    private int report(PrintWriter out, ArchitectureFile arch, Recipe recipe, long searchId, long trialId, TrialResult r, String weights) {
        boolean sameRun = recipe.equals(arch.recipe()) && (seed == null || seed == arch.seed()) && arch.fingerprintMatches();
        if (json) {
            var o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            o.put("search_id", searchId);
            o.put("trial_id", trialId);
            o.put("ok", r.ok());
            o.put("error", r.error());
            o.put("steps", recipe.steps());
            r.metrics().forEach((k, v) -> o.put(k, Double.isFinite(v) ? v : null));
            if (arch.trainedTrialId() != null) o.put("exported_trial_id", arch.trainedTrialId());
            if (Double.isFinite(arch.trainedValLoss())) o.put("exported_val_loss", arch.trainedValLoss());
            o.put("weights", weights);
            out.println(o.toPrettyString());
            out.flush();
            return r.ok() ? ExitCodes.OK : ExitCodes.FAILED;
        }
        if (!r.ok()) {
            out.println("trial " + trialId + " failed: " + r.error());
            out.flush();
            return ExitCodes.FAILED;
        }
        out.printf(Locale.ROOT, "val_loss %.6f, val_accuracy %.4f, %,d params, %.1f s%n", r.metric("val_loss"), r.metric("val_accuracy"),
                Math.round(r.metric("params")), r.metric("train_seconds"));
        if (Double.isFinite(arch.trainedValLoss())) {
            double diff = r.metric("val_loss") - arch.trainedValLoss();
            out.printf(Locale.ROOT, "exported trial %s had val_loss %.6f (%s; difference %+.2e)%n", arch.trainedTrialId(), arch.trainedValLoss(),
                    sameRun ? "same recipe and seed" : "other recipe or seed", diff);
        }
        if (weights != null) out.println("weights: " + weights);
        out.println("results: bin/strata results show " + trialId);
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * The recipe trained for {@code n} steps: warmup is kept but never longer than the run, and the
     * time limit grows with the steps (a longer run must not be killed for being longer).
     */
    static Recipe withSteps(Recipe r, int n) {
        long limit = Math.max(r.timeLimitSeconds(), (long) Math.ceil((double) r.timeLimitSeconds() * n / r.steps()));
        return r.forRun(n, r.evalEvery()).withTimeLimit((int) Math.min(Integer.MAX_VALUE, limit));
    }
}
