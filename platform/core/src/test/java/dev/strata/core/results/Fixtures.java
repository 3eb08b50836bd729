package dev.strata.core.results;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.util.List;
import java.util.Map;

/** Small architectures, searches and results for the results-store tests. */
final class Fixtures {

    static final String TASK = "task.copy{length=16, vocab=32}#seed=7";
    static final String RECIPE = "steps=50,batch=8,lr=0.003,wd=0.01,warmup=5,min_lr_ratio=0.1,eval_every=25,clip=1.0";

    private Fixtures() {}

    static Architecture arch(String tokenMixer, int heads) {
        LayerSpec a = new LayerSpec(
                ComponentRef.of(tokenMixer, Map.of("heads", heads)),
                ComponentRef.of("mixer.mlp", Map.of("expansion", 4.0, "activation", "gelu")),
                ComponentRef.of("norm.rms"),
                ComponentRef.of("residual.pre_norm"));
        LayerSpec b = new LayerSpec(
                ComponentRef.of("mixer.conv", Map.of("kernel", 3)),
                ComponentRef.of("mixer.glu", Map.of("expansion", 2.0)),
                ComponentRef.of("norm.layer"),
                ComponentRef.of("residual.post_norm"));
        return new Architecture(32, List.of(a, b), ComponentRef.of("norm.rms"));
    }

    static NewSearch search(String name) {
        return new NewSearch(name, "search-spaces/quickstart.yaml", "task: copy\nbudget: 8\n", 42, "evolution",
                TASK, RECIPE, 8, "cpu");
    }

    static NewTrial trial(long searchId, int ordinal, Architecture a) {
        return new NewTrial(searchId, ordinal, 0, null, a, TASK, RECIPE, 1000 + ordinal, "cpu");
    }

    static TrialResult ok(long trialId, double valLoss) {
        return new TrialResult(trialId, true, null,
                Map.of("val_loss", valLoss, "val_accuracy", 1 - valLoss / 10, "train_loss", valLoss * 0.9,
                        "params", 12_345.0, "train_seconds", 3.25),
                List.of(new CurvePoint(0, "train", 3.4, Double.NaN), new CurvePoint(25, "train", 2.5, Double.NaN),
                        new CurvePoint(25, "val", 2.6, 0.3), new CurvePoint(50, "val", valLoss, 1 - valLoss / 10)),
                Map.of("attention.mha", "attention@0.1.0/1", "norm.rms", "norms@0.1.0/1"));
    }
}
