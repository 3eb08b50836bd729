package dev.strata.plugins.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.api.Batch;
import dev.strata.api.Params;
import dev.strata.api.Task;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BytesLmTaskTest {

    private final BytesLmTaskProvider provider = new BytesLmTaskProvider();

    @TempDir
    Path dir;

    private static Path sample() throws URISyntaxException {
        return Path.of(BytesLmTaskTest.class.getResource("/sample.txt").toURI());
    }

    private Task create(Map<String, ?> params, long seed, Path baseDir) {
        return provider.create(Params.of(params), seed, baseDir);
    }

    @Test
    void readsTheSampleRelativeToTheBaseDirectory() throws Exception {
        Path sample = sample();
        Task task = create(Map.of("file", "sample.txt", "context", 32), 1, sample.getParent());
        byte[] bytes = Files.readAllBytes(sample);
        int validationBytes = (int) Math.round(bytes.length * 0.1);
        assertThat(task.vocabSize()).isEqualTo(256);
        assertThat(task.sequenceLength()).isEqualTo(32);
        assertThat(task.validationSize()).isEqualTo((validationBytes - 1) / 32);
        assertThat(task.baselineLoss())
                .isCloseTo(BytesLmTask.unigramEntropy(bytes, bytes.length - validationBytes), within(1e-12))
                .isBetween(2.0, 4.0); // English text: around 3 nats per byte
        assertThat(task.baselineName()).isEqualTo("unigram over training bytes");

        Batch train = task.trainBatch(0, 8);
        assertThat(train.weights()).containsOnly(1f);
        assertThat(TaskTesting.sameBatch(train, create(Map.of("file", sample.toString(), "context", 32), 1, null)
                .trainBatch(0, 8))).isTrue();
        assertThat(TaskTesting.sameBatch(train, task.trainBatch(1, 8))).isFalse();

        // Validation windows are consecutive: each window's targets end where the next one's start.
        Batch validation = task.validationBatch(0, 2);
        int boundary = bytes.length - validationBytes;
        for (int t = 0; t < 32; t++) {
            assertThat(validation.inputs()[t]).isEqualTo(bytes[boundary + t] & 0xFF);
            assertThat(validation.targets()[t]).isEqualTo(bytes[boundary + t + 1] & 0xFF);
            assertThat(validation.inputs()[32 + t]).isEqualTo(bytes[boundary + 32 + t] & 0xFF);
        }
    }

    @Test
    void windowsNeverCrossTheBoundary() throws IOException {
        // Training part is letters only, validation part digits only: any crossing shows.
        Path file = dir.resolve("split.txt");
        Files.writeString(file, "abcdefghij".repeat(90) + "0123456789".repeat(10), StandardCharsets.US_ASCII);
        Task task = create(Map.of("file", file.toString(), "context", 8, "validation_fraction", 0.1), 7, dir);
        for (long index = 0; index < 50; index++) {
            Batch batch = task.trainBatch(index, 32);
            assertThat(IntStream.of(batch.inputs())).allMatch(b -> b >= 'a' && b <= 'j');
            assertThat(IntStream.of(batch.targets())).allMatch(b -> b >= 'a' && b <= 'j');
        }
        Batch validation = task.validationBatch(0, task.validationSize());
        assertThat(task.validationSize()).isEqualTo(12); // (100 - 1) / 8
        assertThat(IntStream.of(validation.inputs())).allMatch(b -> b >= '0' && b <= '9');
        assertThat(IntStream.of(validation.targets())).allMatch(b -> b >= '0' && b <= '9');
    }

    @Test
    void refusesMissingOrShortFiles() throws IOException {
        Path missing = dir.resolve("nope.txt");
        assertThatThrownBy(() -> create(Map.of("file", "nope.txt"), 1, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task.bytes_lm: file " + missing + " not found");
        assertThatThrownBy(() -> create(Map.of(), 1, dir))
                .hasMessageStartingWith("task.bytes_lm: parameter 'file' is required");
        Path small = dir.resolve("small.txt");
        Files.writeString(small, "x".repeat(300));
        assertThatThrownBy(() -> create(Map.of("file", "small.txt"), 1, dir))
                .hasMessage("task.bytes_lm: file " + small + " (300 bytes) is too short for one window of context+1 = 65 "
                        + "bytes in each split (training 270, validation 30 bytes)");
        assertThatThrownBy(() -> create(Map.of("file", "small.txt", "validation_fraction", 0.9), 1, dir))
                .hasMessage("task.bytes_lm: validation_fraction=0.9 is outside [0.01, 0.5]");
        assertThatThrownBy(() -> create(Map.of("file", "small.txt", "context", 4), 1, dir))
                .hasMessage("task.bytes_lm: context=4 is outside [8, 4096]");
    }
}
