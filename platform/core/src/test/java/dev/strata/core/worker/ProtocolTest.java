package dev.strata.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.api.Params;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TaskSpec;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    static final Architecture ARCH = new Architecture(64, List.of(
            new LayerSpec(ComponentRef.of("attention.mha", Map.of("heads", 4)), ComponentRef.of("mixer.mlp", Map.of("ratio", 2.5)),
                    ComponentRef.of("norm.rms"), ComponentRef.of("residual.pre_norm", Map.of("mode", "x")))),
            ComponentRef.of("norm.rms"));

    @Test
    void requestsRoundTrip() {
        TrialRequest r = new TrialRequest(7, ARCH,
                new TaskSpec("task.copy", Params.of(Map.of("vocab", 16, "p", 0.5, "file", "a b\nc")), 99L, "/data"),
                new Recipe(300, 32, 3e-3, 0.1, 30, 0.1, 100, 1.0, 600), 1234567890123L);
        String line = Protocol.encode(r);
        assertThat(line).doesNotContain("\n").contains("\"type\":\"trial\"");
        Protocol.Message m = Protocol.parse(line);
        assertThat(m).isInstanceOf(Protocol.Trial.class);
        TrialRequest back = ((Protocol.Trial) m).request();
        assertThat(back).isEqualTo(r);
        assertThat(back.architecture().fingerprint()).isEqualTo(ARCH.fingerprint());
    }

    @Test
    void earlyStoppingThresholdsRoundTripAndAreOptional() {
        TrialRequest plain = new TrialRequest(8, ARCH, new TaskSpec("task.copy", Params.of(Map.of()), 1L, null),
                new Recipe(300, 32, 3e-3, 0.1, 30, 0.1, 100, 1.0, 600), 5L, "/w/8.params");
        TrialRequest r = plain.withStopThresholds(Map.of(100, 2.3125, 200, 1.0000000000000002));
        String line = Protocol.encode(r);
        assertThat(line).contains("\"stopThresholds\":{\"100\":2.3125,\"200\":1.0000000000000002}");
        TrialRequest back = ((Protocol.Trial) Protocol.parse(line)).request();
        assertThat(back).isEqualTo(r);
        assertThat(back.stopThresholds()).containsExactly(Map.entry(100, 2.3125), Map.entry(200, 1.0000000000000002));
        // A request of an orchestrator from before early stopping has no such field: no thresholds.
        String old = Protocol.encode(plain);
        assertThat(old).doesNotContain("stopThresholds");
        assertThat(((Protocol.Trial) Protocol.parse(old)).request().stopThresholds()).isEmpty();
        assertThat(((Protocol.Trial) Protocol.parse(old)).request().withWeightsFile(null).stopThresholds()).isEmpty();
        assertThat(r.withWeightsFile("/x").stopThresholds()).isEqualTo(r.stopThresholds());
    }

    @Test
    void resultsRoundTripWithNonFiniteNumbersAsNaN() {
        TrialResult r = new TrialResult(7, true, null, Map.of("val_loss", 1.5, "weird", Double.POSITIVE_INFINITY),
                List.of(new CurvePoint(10, "train", 2.0, Double.NaN), new CurvePoint(10, "val", 1.9, 0.5)),
                Map.of("attention.mha", "attention@0.1.0/1"));
        TrialResult back = ((Protocol.Result) Protocol.parse(Protocol.encode(r))).result();
        assertThat(back.metric("val_loss")).isEqualTo(1.5);
        assertThat(back.metric("weird")).isNaN();
        assertThat(back.curve()).isEqualTo(r.curve());
        assertThat(back.componentVersions()).isEqualTo(r.componentVersions());

        TrialResult failed = TrialResult.failed(3, "loss became NaN at step 4\nsecond line");
        assertThat(((Protocol.Result) Protocol.parse(Protocol.encode(failed))).result()).isEqualTo(failed);
    }

    @Test
    void progressAndReady() {
        assertThat(Protocol.parse(Protocol.progress(7, 20, 1.25))).isEqualTo(new Protocol.Progress(7, 20, 1.25));
        Protocol.Ready ready = (Protocol.Ready) Protocol.parse(Protocol.ready("gpu:1", 4, "no GPU"));
        assertThat(ready.device()).isEqualTo("gpu:1");
        assertThat(ready.threads()).isEqualTo(4);
        assertThat(ready.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(ready.error()).isEqualTo("no GPU");
    }

    @Test
    void malformedLinesAreRefusedWithAReason() {
        assertThatThrownBy(() -> Protocol.parse("hello")).hasMessage("not a JSON line: hello");
        assertThatThrownBy(() -> Protocol.parse("[1]")).hasMessage("not a JSON object: [1]");
        assertThatThrownBy(() -> Protocol.parse("{\"type\":\"dance\"}")).hasMessage("malformed dance message: unknown message type 'dance'");
        assertThatThrownBy(() -> Protocol.parse("{\"type\":\"progress\",\"trialId\":1}")).hasMessage("malformed progress message: missing 'step'");
        assertThatThrownBy(() -> Protocol.parse("{\"type\":\"trial\",\"trialId\":1}")).hasMessage("malformed trial message: missing 'task'");
    }

    @Test
    void workerConfigDefaultsAndCommand() {
        WorkerConfig c = WorkerConfig.of(Path.of("plugins"), "gpu", 2).withThreadsPerWorker(3);
        assertThat(c.deviceFor(0)).isEqualTo("gpu:0");
        assertThat(c.deviceFor(1)).isEqualTo("gpu:1");
        assertThat(WorkerConfig.of(Path.of("p"), "gpu:3", 2).deviceFor(1)).isEqualTo("gpu:3");
        assertThat(WorkerConfig.of(Path.of("p"), "cpu", 2).deviceFor(1)).isEqualTo("cpu");
        assertThat(c.command(1)).contains("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=3",
                "-Dai.djl.pytorch.num_interop_threads=1", "--enable-native-access=ALL-UNNAMED", WorkerMain.class.getName())
                .containsSubsequence("--device", "gpu:1").containsSubsequence("--threads", "3");
        assertThat(c.environment()).containsEntry("OMP_NUM_THREADS", "3").containsEntry("MKL_NUM_THREADS", "3");
        assertThat(c.javaExecutable()).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
        assertThat(c.classpath()).isEqualTo(System.getProperty("java.class.path"));
        assertThat(WorkerConfig.of(Path.of("p"), "cpu", 1).threadsPerWorker()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
        WorkerConfig shared = WorkerConfig.of(Path.of("p"), "cpu", 2).withClassDataArchive(Path.of("/s/worker.jsa"));
        assertThat(shared.command(0)).contains("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=/s/worker.jsa");
        assertThat(shared.command(1)).contains("-XX:SharedArchiveFile=/s/worker.jsa").doesNotContain("-XX:+AutoCreateSharedArchive");
        assertThat(shared.withClassDataArchive(null).command(0)).noneMatch(a -> a.contains("SharedArchive"));
        assertThatThrownBy(() -> WorkerConfig.of(Path.of("p"), "tpu", 1)).hasMessage("device must be cpu, gpu or gpu:N, got 'tpu'");
        assertThatThrownBy(() -> WorkerConfig.of(Path.of("p"), "cpu", 0)).hasMessage("workers must be at least 1, got 0");
    }

    @Test
    void gpuSpecWithoutGpusGivesAOneLineReason() {
        assertThat(WorkerMain.device("cpu", 0).toString()).isEqualTo("cpu()");
        assertThat(WorkerMain.device("gpu:1", 2).getDeviceId()).isEqualTo(1);
        assertThatThrownBy(() -> WorkerMain.device("gpu", 0)).hasMessageStartingWith("device gpu requested but the PyTorch engine sees no GPU");
        assertThatThrownBy(() -> WorkerMain.device("gpu:2", 2)).hasMessage("device gpu:2 requested but the PyTorch engine sees only 2 GPU(s)");
    }
}
