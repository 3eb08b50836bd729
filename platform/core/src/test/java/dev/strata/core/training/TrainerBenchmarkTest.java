package dev.strata.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.strata.core.model.TestComponents;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Step time of a small GPT-like model (d_model 64, 2 layers of causal attention + MLP, sequence 32,
 * batch 32). Off by default: {@code -Dstrata.bench=true}; {@code -Dstrata.bench.device=gpu} for GPU.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class TrainerBenchmarkTest {

    @Test
    void smallModelStepTime() {
        Device device = System.getProperty("strata.bench.device", "cpu").startsWith("gpu") ? Device.gpu() : Device.cpu();
        int steps = Integer.getInteger("strata.bench.steps", 200);
        TaskSpec task = new TaskSpec(TestComponents.COPY_TASK, TestComponents.params("vocab", 64, "length", 32, "validation", 256), 1, null);
        Recipe recipe = new Recipe(steps, 32, 3e-3, 0.01, 20, 0.1, steps, 1.0, 600);
        TrialRequest request = new TrialRequest(1, TestComponents.architecture(64, 2, TestComponents.ATTENTION), task, recipe, 1);
        TrialResult r = new TrialTrainer().train(request, TestComponents.registry(), device);
        assertThat(r.ok()).as(r.error()).isTrue();
        System.err.printf(Locale.ROOT, "BENCH device=%s params=%.0f median step %.2f ms, %.0f tokens/s, train %.2f s, val_loss %.4f (baseline %.4f)%n",
                device, r.metric("params"), r.metric("step_seconds") * 1000, r.metric("tokens_per_second"), r.metric("train_seconds"),
                r.metric("val_loss"), r.metric("baseline_loss"));
    }
}
