package dev.strata.core.training;

import static dev.strata.core.model.TestComponents.COPY_TASK;
import static dev.strata.core.model.TestComponents.SHIFT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.strata.api.Batch;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.model.CandidateModel;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.model.TestComponents;
import dev.strata.core.plugins.ComponentRegistry;
import dev.strata.core.worker.Protocol;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trial asked to keep its weights saves exactly the trained parameters (DJL's format), and only then. */
class TrialWeightsTest {

    private static final ComponentRegistry REGISTRY = TestComponents.registry();
    private static final TaskSpec TASK = new TaskSpec(COPY_TASK, TestComponents.params("vocab", 16, "length", 12, "validation", 64), 7L, null);

    @TempDir
    Path dir;

    @Test
    void savedWeightsReproduceTheValidationLoss() throws Exception {
        Architecture arch = TestComponents.architecture(16, 2, TestComponents.ATTENTION);
        Path file = dir.resolve("weights/3/42.params");
        TrialRequest request = new TrialRequest(42, arch, TASK, TrialTrainerTest.recipe(60), 3).withWeightsFile(file.toString());
        TrialResult r = new TrialTrainer().train(request, REGISTRY, Device.cpu());
        assertThat(r.error()).isNull();
        assertThat(file).isRegularFile();
        assertThat(Files.size(file)).isGreaterThan(4L * (long) r.metric("params")); // float32 values plus headers
        assertThat(file.resolveSibling("42.params.tmp")).doesNotExist();

        // A fresh model of the same architecture, loaded from the file, scores the trial's validation loss.
        TaskProvider provider = REGISTRY.require(COPY_TASK, TaskProvider.class);
        Task task = provider.create(ModelComposer.resolveParams(provider, TASK.params()), TASK.dataSeed(), Path.of("."));
        CandidateModel model = ModelComposer.compose(arch, task.vocabSize(), task.sequenceLength(), task.causal(), REGISTRY);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            model.initialize(m, DataType.FLOAT32, new Shape(16, task.sequenceLength()));
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                model.loadParameters(m, in);
                assertThat(in.read()).as("the whole file is read").isEqualTo(-1);
            }
            assertThat(validationLoss(model, task, m)).isCloseTo(r.metric("val_loss"), within(1e-4));
        }
    }

    @Test
    void noWeightsFileNoWeights() {
        TrialRequest request = new TrialRequest(7, TestComponents.architecture(8, 1, SHIFT), TASK, TrialTrainerTest.recipe(10), 1);
        assertThat(request.weightsFile()).isNull();
        TrialResult r = new TrialTrainer().train(request, REGISTRY, Device.cpu());
        assertThat(r.ok()).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theProtocolCarriesTheWeightsPath() {
        TrialRequest request = new TrialRequest(9, TestComponents.architecture(8, 1, SHIFT), TASK, TrialTrainerTest.recipe(10), 1);
        String without = Protocol.encode(request);
        assertThat(without).doesNotContain("weightsFile");
        assertThat(((Protocol.Trial) Protocol.parse(without)).request().weightsFile()).isNull();
        TrialRequest with = request.withWeightsFile("/db/weights/1/9.params");
        assertThat(((Protocol.Trial) Protocol.parse(Protocol.encode(with))).request()).isEqualTo(with);
    }

    /** Mean weighted cross-entropy over the whole validation set, as the trainer defines it. */
    private static double validationLoss(CandidateModel model, Task task, NDManager m) {
        Batch b = task.validationBatch(0, task.validationSize());
        int n = b.size() * b.length();
        long[] targets = new long[n];
        for (int i = 0; i < n; i++) targets[i] = b.targets()[i];
        NDArray x = m.create(b.inputs(), new Shape(b.size(), b.length()));
        NDArray logits = model.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
        float[] logp = logits.logSoftmax(-1).gather(m.create(targets, new Shape(b.size(), b.length(), 1)), -1).toFloatArray();
        double sum = 0;
        double weights = 0;
        for (int i = 0; i < n; i++) {
            sum -= b.weights()[i] * logp[i];
            weights += b.weights()[i];
        }
        model.layerState().clearForward();
        return sum / weights;
    }
}
