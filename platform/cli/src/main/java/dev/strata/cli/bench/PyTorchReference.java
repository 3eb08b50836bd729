package dev.strata.cli.bench;

import dev.strata.api.Params;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.training.Recipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The command line of {@code bench/training.py} (the hand-written PyTorch model) for an architecture
 * it can express: attention.mha + mixer.mlp layers with one norm (norm.layer or norm.rms) and one
 * residual placement (pre or post) throughout, on task.mqar with every pair queried. Anything else
 * is refused with a message naming the file and the part that has no PyTorch twin.
 */
final class PyTorchReference {

    private static final Map<String, String> NORMS = Map.of("norm.layer", "layer", "norm.rms", "rms");
    private static final Map<String, String> RESIDUALS = Map.of("residual.pre_norm", "pre", "residual.post_norm", "post");

    private PyTorchReference() {}

    /**
     * @param where the file, for messages
     * @param taskParams the task's parameters with defaults filled in
     * @param resolve a component's parameters with its defaults filled in
     */
    static List<String> arguments(String where, Architecture arch, String taskId, Params taskParams, Recipe recipe, int threads,
            long seed, BiFunction<String, Params, Params> resolve) {
        if (!taskId.equals("task.mqar")) throw refuse(where, "task " + taskId + " (the PyTorch script generates task.mqar only)");
        int pairs = taskParams.getInt("pairs");
        int queries = taskParams.has("queries") ? taskParams.getInt("queries") : 0;
        if (queries != 0 && queries != pairs) throw refuse(where, "task.mqar queries=" + queries + " (the script queries every pair)");
        String norm = null;
        String residual = null;
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < arch.layers().size(); i++) {
            LayerSpec l = arch.layers().get(i);
            String at = "layer " + i + " ";
            if (!l.tokenMixer().id().equals("attention.mha")) throw refuse(where, at + "token mixer " + l.tokenMixer().id());
            if (l.channelMixer() == null || !l.channelMixer().id().equals("mixer.mlp")) {
                throw refuse(where, at + "channel mixer " + (l.channelMixer() == null ? "none" : l.channelMixer().id()));
            }
            norm = same(where, at + "norm", norm, NORMS, l.norm());
            residual = same(where, at + "residual", residual, RESIDUALS, l.residual());
            Params mlp = resolve.apply(l.channelMixer().id(), l.channelMixer().params());
            Params mha = resolve.apply(l.tokenMixer().id(), l.tokenMixer().params());
            layers.add(mha.getInt("heads") + ":" + num(mlp.getDouble("expansion")) + ":" + mlp.getString("activation"));
        }
        String finalNorm = NORMS.get(arch.finalNorm().id());
        if (finalNorm == null) throw refuse(where, "final norm " + arch.finalNorm().id());
        return List.of(
                "--d-model", Integer.toString(arch.dModel()),
                "--layers", String.join(",", layers),
                "--norm", norm,
                "--final-norm", finalNorm,
                "--residual", residual,
                "--pairs", Integer.toString(pairs),
                "--vocab", Integer.toString(taskParams.getInt("vocab")),
                "--batch", Integer.toString(recipe.batchSize()),
                "--steps", Integer.toString(recipe.steps()),
                "--lr", num(recipe.learningRate()),
                "--weight-decay", num(recipe.weightDecay()),
                "--warmup", Integer.toString(recipe.warmupSteps()),
                "--min-lr-ratio", num(recipe.minLrRatio()),
                "--grad-clip", num(recipe.gradClip()),
                "--threads", Integer.toString(threads),
                "--seed", Long.toString(seed));
    }

    private static String same(String where, String what, String before, Map<String, String> known, ComponentRef ref) {
        String mapped = ref == null ? null : known.get(ref.id());
        if (mapped == null) throw refuse(where, what + " " + (ref == null ? "none" : ref.id()));
        if (before != null && !before.equals(mapped)) throw refuse(where, what + " differs between layers");
        return mapped;
    }

    private static IllegalArgumentException refuse(String where, String what) {
        return new IllegalArgumentException(where + ": " + what + " has no PyTorch twin in bench/training.py"
                + " (it writes attention.mha + mixer.mlp layers with norm.layer|norm.rms, pre|post norm, on task.mqar)");
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
