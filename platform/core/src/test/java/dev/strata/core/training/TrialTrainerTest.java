package dev.strata.core.training;

import static dev.strata.core.model.TestComponents.COPY_TASK;
import static dev.strata.core.model.TestComponents.NAN;
import static dev.strata.core.model.TestComponents.SHIFT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.model.TestComponents;
import dev.strata.core.plugins.ComponentRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrialTrainerTest {

    private static final ComponentRegistry REGISTRY = TestComponents.registry();
    private static final TaskSpec TASK = new TaskSpec(COPY_TASK, TestComponents.params("vocab", 16, "length", 12, "validation", 64),
            7L, null);

    static Recipe recipe(int steps) {
        return new Recipe(steps, 16, 1e-2, 0.01, 10, 0.1, 50, 1.0, 60);
    }

    private final TrialTrainer trainer = new TrialTrainer();

    @Test
    void learnsToCopyThePreviousToken() {
        List<String> progress = new ArrayList<>();
        TrialRequest request = new TrialRequest(42, TestComponents.architecture(16, 1, SHIFT), TASK, recipe(100), 3);
        TrialResult r = trainer.train(request, REGISTRY, Device.cpu(), (id, step, loss) -> progress.add(id + "@" + step));

        assertThat(r.error()).isNull();
        assertThat(r.ok()).isTrue();
        assertThat(r.trialId()).isEqualTo(42);
        assertThat(r.metrics().keySet()).containsExactlyElementsOf(TrialTrainer.METRICS);
        assertThat(r.metric("baseline_loss")).isEqualTo(Math.log(16), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(r.metric("val_loss")).isLessThan(0.25 * r.metric("baseline_loss"));
        assertThat(r.metric("val_accuracy")).isGreaterThan(0.9);
        assertThat(r.metric("train_loss")).isLessThan(0.25 * r.metric("baseline_loss"));
        assertThat(r.metric("params")).isGreaterThan(0);
        assertThat(r.metric("tokens_per_second")).isGreaterThan(0);
        assertThat(r.metric("step_seconds")).isGreaterThan(0).isLessThan(r.metric("train_seconds"));
        // train points every evalEvery/5 = 10 steps; validation at 50 and at the end.
        assertThat(r.curve().stream().filter(p -> p.split().equals("train")).map(CurvePoint::step))
                .containsExactly(10, 20, 30, 40, 50, 60, 70, 80, 90, 100);
        assertThat(r.curve().stream().filter(p -> p.split().equals("val")).map(CurvePoint::step)).containsExactly(50, 100);
        assertThat(r.curve().getFirst().loss()).isGreaterThan(r.curve().getLast().loss());
        assertThat(progress).first().isEqualTo("42@10");
        assertThat(progress).hasSize(10);
        assertThat(r.componentVersions()).containsEntry(COPY_TASK, "test-plugin@1.0/1").containsKey(SHIFT).hasSize(5);
    }

    @Test
    void reportsTheFlopsEstimateAndThePeakResidentMemory() {
        // d 8, one attention layer, vocab 16, seq 12: 5424 training FLOPs per token (worked out in FlopsPerTokenTest).
        TrialRequest request = new TrialRequest(3, TestComponents.architecture(8, 1, TestComponents.ATTENTION), TASK, recipe(10), 3);
        TrialResult r = trainer.train(request, REGISTRY, Device.cpu());
        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(r.metric("flops_per_token")).isEqualTo(5424.0);
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
            // A JVM with libtorch loaded holds well over 16 MiB; far less than 64 GiB.
            assertThat(r.metric("peak_memory_mb")).isGreaterThan(16).isLessThan(65536);
        }
    }

    @Test
    void stopsAtAnEvaluationWorseThanItsThreshold() {
        TrialRequest full = new TrialRequest(4, TestComponents.architecture(16, 1, SHIFT), TASK, recipe(100), 3);
        // Threshold 0 at step 50: any loss is worse, the trial stops there.
        TrialResult stopped = trainer.train(full.withStopThresholds(java.util.Map.of(50, 0.0)), REGISTRY, Device.cpu());
        assertThat(stopped.ok()).as(stopped.error()).isTrue();
        assertThat(stopped.metric(MedianStopping.STOPPED_AT_STEP)).isEqualTo(50.0);
        assertThat(stopped.metrics().keySet()).containsAll(TrialTrainer.METRICS).hasSize(TrialTrainer.METRICS.size() + 1);
        assertThat(stopped.curve().stream().filter(p -> p.split().equals("val")).map(CurvePoint::step)).containsExactly(50);
        assertThat(stopped.curve().stream().filter(p -> p.split().equals("train")).map(CurvePoint::step))
                .containsExactly(10, 20, 30, 40, 50);
        CurvePoint lastVal = stopped.curve().stream().filter(p -> p.split().equals("val")).reduce((a, b) -> b).orElseThrow();
        assertThat(stopped.metric("val_loss")).isEqualTo(lastVal.loss());

        // A generous threshold (and one at the final step, never a stopping point) lets it run to the end,
        // exactly as without thresholds: the same validation curve.
        TrialResult ran = trainer.train(full.withStopThresholds(java.util.Map.of(50, 1e9, 100, 0.0)), REGISTRY, Device.cpu());
        TrialResult plain = trainer.train(full, REGISTRY, Device.cpu());
        assertThat(ran.metrics()).doesNotContainKey(MedianStopping.STOPPED_AT_STEP);
        assertThat(ran.metric("val_loss")).isEqualTo(plain.metric("val_loss"));
        // Training is deterministic: the stopped trial's curve is the first half of the full one.
        assertThat(plain.curve()).startsWith(stopped.curve().toArray(new CurvePoint[0]));
    }

    @Test
    void validationBatchesShortSequencesUpToATokenBudget() {
        // MQAR of the quickstart: 16 tokens, batch 32 -> 256 sequences (4096 tokens) per forward pass.
        assertThat(TrialTrainer.evalBatch(512, 32, 16)).isEqualTo(256);
        // Long sequences keep twice the training batch: no validation needs more memory than before.
        assertThat(TrialTrainer.evalBatch(512, 32, 128)).isEqualTo(64);
        // Never more than the validation set.
        assertThat(TrialTrainer.evalBatch(100, 32, 16)).isEqualTo(100);
        assertThat(TrialTrainer.evalBatch(1, 1, 100_000)).isEqualTo(1);
    }

    @Test
    void sameSeedSameResult() {
        TrialRequest request = new TrialRequest(1, TestComponents.architecture(8, 2, TestComponents.CUMMEAN), TASK, recipe(20), 11);
        TrialResult a = trainer.train(request, REGISTRY, Device.cpu());
        TrialResult b = trainer.train(request, REGISTRY, Device.cpu());
        assertThat(a.ok()).isTrue();
        for (String m : List.of("val_loss", "val_accuracy", "train_loss", "params", "baseline_loss")) {
            assertThat(b.metric(m)).as(m).isEqualTo(a.metric(m));
        }
        assertThat(b.curve()).isEqualTo(a.curve());

        TrialResult other = trainer.train(new TrialRequest(1, request.architecture(), TASK, recipe(20), 12), REGISTRY, Device.cpu());
        assertThat(other.metric("val_loss")).isNotEqualTo(a.metric("val_loss"));
    }

    @Test
    void nanLossFailsTheTrial() {
        Architecture arch = TestComponents.architecture(8, 1, SHIFT, NAN);
        TrialResult r = trainer.train(new TrialRequest(5, arch, TASK, recipe(10), 1), REGISTRY, Device.cpu());
        assertThat(r.ok()).isFalse();
        assertThat(r.trialId()).isEqualTo(5);
        assertThat(r.error()).isEqualTo("loss became NaN at step 1");
    }

    @Test
    void unbuildableCandidateFailsWithOneLine() {
        Architecture arch = TestComponents.architecture(8, 1, "attention.missing");
        TrialResult r = trainer.train(new TrialRequest(6, arch, TASK, recipe(10), 1), REGISTRY, Device.cpu());
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).isEqualTo("IllegalArgumentException: unknown component 'attention.missing' in the token mixer slot (layer 0)");

        TaskSpec badTask = new TaskSpec(COPY_TASK, TestComponents.params("vocab", 1), 7L, null);
        TrialResult t = trainer.train(new TrialRequest(7, TestComponents.architecture(8, 1, SHIFT), badTask, recipe(10), 1),
                REGISTRY, Device.cpu());
        assertThat(t.error()).isEqualTo("IllegalArgumentException: component 'task.test_copy_prev': vocab=1 is outside [2, 1024]");
    }

    @Test
    void clipsByGlobalNorm() {
        // A tiny clip still trains (slowly) and stays finite: exercises the clipping path.
        Recipe clipped = new Recipe(20, 16, 1e-2, 0.0, 0, 0.1, 10, 1e-3, 60);
        TrialResult r = trainer.train(new TrialRequest(8, TestComponents.architecture(8, 1, SHIFT), TASK, clipped, 2), REGISTRY,
                Device.cpu());
        assertThat(r.ok()).isTrue();
        assertThat(r.metric("val_loss")).isFinite();
    }

    @Test
    void auxiliaryLossesAreAddedToTheTrainingLoss() {
        Architecture arch = TestComponents.architecture(8, 2, SHIFT, TestComponents.AUX);
        TrialResult r = trainer.train(new TrialRequest(9, arch, TASK, recipe(10), 1), REGISTRY, Device.cpu());
        assertThat(r.ok()).as(r.error()).isTrue();
        // Two layers, each adding at least 1.0; validation reports the task loss alone.
        assertThat(r.metric("train_loss")).isGreaterThan(2.0);
        assertThat(r.metric("val_loss")).isLessThan(r.metric("train_loss") - 1.5);
    }
}
