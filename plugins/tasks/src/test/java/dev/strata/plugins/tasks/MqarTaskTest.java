package dev.strata.plugins.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.api.Batch;
import dev.strata.api.Params;
import dev.strata.api.Task;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MqarTaskTest {

    private final MqarTaskProvider provider = new MqarTaskProvider();

    private Task create(Map<String, ?> params, long seed) {
        return provider.create(Params.of(params), seed, Path.of("."));
    }

    @Test
    void defaultsGiveAllPairsQueried() {
        Task task = create(Map.of(), 1);
        assertThat(task.vocabSize()).isEqualTo(64);
        assertThat(task.sequenceLength()).isEqualTo(2 * 8 + 2 * 8);
        assertThat(task.validationSize()).isEqualTo(512);
        assertThat(task.baselineLoss()).isCloseTo(Math.log(32), within(1e-12));
        assertThat(task.baselineName()).isEqualTo("uniform over 32 values");
    }

    @Test
    void batchesAreDeterministicInSeedAndIndex() {
        Task a = create(Map.of(), 42);
        Task b = create(Map.of(), 42);
        a.trainBatch(3, 8); // no hidden state: asking for another batch first changes nothing
        assertThat(TaskTesting.sameBatch(a.trainBatch(7, 16), b.trainBatch(7, 16))).isTrue();
        assertThat(TaskTesting.sameBatch(a.validationBatch(10, 5), b.validationBatch(10, 5))).isTrue();
        assertThat(TaskTesting.sameBatch(a.trainBatch(7, 16), a.trainBatch(8, 16))).isFalse();
        assertThat(TaskTesting.sameBatch(a.trainBatch(7, 16), create(Map.of(), 43).trainBatch(7, 16))).isFalse();
    }

    @Test
    void trainingNeverContainsAValidationSequence() {
        // 4 keys and 4 values: 4*3 * 4^2 * 2 = 384 distinct sequences, 150 of them for validation,
        // so without the redraw about 39% of training sequences would be validation sequences.
        Task task = create(Map.of("pairs", 2, "vocab", 8, "validation_size", 150), 5);
        Set<List<Integer>> validation = TaskTesting.validationRows(task);
        assertThat(validation).hasSize(150);
        for (long index = 0; index < 100; index++) {
            assertThat(TaskTesting.rows(task.trainBatch(index, 32))).doesNotContainAnyElementsOf(validation);
        }
    }

    @Test
    void scoresExactlyTheQueryKeysAgainstTheirValues() {
        Task task = create(Map.of("pairs", 6, "vocab", 40, "queries", 4), 9);
        Batch batch = task.trainBatch(0, 64);
        TaskTesting.checkNextTokenLayout(batch);
        int n = batch.length();
        assertThat(n).isEqualTo(2 * 6 + 2 * 4);
        for (int r = 0; r < batch.size(); r++) {
            Map<Integer, Integer> pairs = new HashMap<>();
            for (int i = 0; i < 6; i++) {
                int key = batch.inputs()[r * n + 2 * i];
                int value = batch.inputs()[r * n + 2 * i + 1];
                assertThat(key).isBetween(0, 19);
                assertThat(value).isBetween(20, 39);
                assertThat(pairs.put(key, value)).as("keys are distinct").isNull();
            }
            int scored = 0;
            for (int t = 0; t < n; t++) {
                if (batch.weights()[r * n + t] != 0f) {
                    scored++;
                    assertThat(t).isGreaterThanOrEqualTo(12);
                    int key = batch.inputs()[r * n + t];
                    assertThat(pairs).containsEntry(key, batch.targets()[r * n + t]);
                }
            }
            assertThat(scored).isEqualTo(4);
        }
    }

    @Test
    void refusesParametersThatCannotWork() {
        assertThatThrownBy(() -> create(Map.of("pairs", 300), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("task.mqar: pairs=300 is outside [1, 256]");
        assertThatThrownBy(() -> create(Map.of("pairs", 40), 1))
                .hasMessageStartingWith("task.mqar: pairs=40 needs vocab >= 80");
        assertThatThrownBy(() -> create(Map.of("queries", 9), 1))
                .hasMessage("task.mqar: queries=9 exceeds pairs=8 (0 means all pairs)");
        assertThatThrownBy(() -> create(Map.of("pairs", 1, "vocab", 8), 1))
                .hasMessageStartingWith("task.mqar: only 16 distinct sequences exist for pairs=1, vocab=8, queries=1");
        assertThatThrownBy(() -> create(Map.of("pair", 3), 1))
                .hasMessage("task.mqar: unknown parameter 'pair' (known: pairs, vocab, queries, validation_size)");
        assertThatThrownBy(() -> create(Map.of("vocab", 64.5), 1))
                .hasMessage("task.mqar: vocab=64.5 is not an integer");
    }
}
