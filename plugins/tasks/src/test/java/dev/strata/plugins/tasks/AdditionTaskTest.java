package dev.strata.plugins.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.api.Batch;
import dev.strata.api.Params;
import dev.strata.api.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdditionTaskTest {

    private final AdditionTaskProvider provider = new AdditionTaskProvider();

    private Task create(Map<String, ?> params, long seed) {
        return provider.create(Params.of(params), seed, null);
    }

    private static long number(int[] tokens, int from, int count) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n = n * 10 + tokens[from + i];
        }
        return n;
    }

    @Test
    void writesTheSumLeastSignificantDigitFirstAndScoresOnlyIt() {
        Task task = create(Map.of(), 3);
        assertThat(task.vocabSize()).isEqualTo(12);
        assertThat(task.sequenceLength()).isEqualTo(12); // 3 + 1 + 3 + 1 + 4
        Batch batch = task.trainBatch(0, 64);
        TaskTesting.checkNextTokenLayout(batch);
        int n = batch.length();
        for (int r = 0; r < batch.size(); r++) {
            int[] row = java.util.Arrays.copyOfRange(batch.inputs(), r * n, (r + 1) * n);
            assertThat(row[3]).isEqualTo(AdditionSource.PLUS);
            assertThat(row[7]).isEqualTo(AdditionSource.EQUALS);
            long sum = number(row, 0, 3) + number(row, 4, 3);
            long written = 0;
            for (int i = 3; i >= 0; i--) {
                written = written * 10 + row[8 + i];
            }
            assertThat(written).isEqualTo(sum);
            for (int t = 0; t < n; t++) {
                float expected = t >= 7 && t <= 10 ? 1f : 0f; // '=' and the first three answer digits
                assertThat(batch.weights()[r * n + t]).as("weight at %d", t).isEqualTo(expected);
            }
        }
    }

    @Test
    void isDeterministicAndKeepsValidationOut() {
        Task a = create(Map.of("digits", 2, "validation_size", 2000), 11);
        Task b = create(Map.of("digits", 2, "validation_size", 2000), 11);
        assertThat(TaskTesting.sameBatch(a.trainBatch(4, 32), b.trainBatch(4, 32))).isTrue();
        assertThat(TaskTesting.sameBatch(a.trainBatch(4, 32), a.trainBatch(5, 32))).isFalse();
        // 10^4 problems, 2000 held out: a fifth of naive draws would collide.
        Set<List<Integer>> validation = TaskTesting.validationRows(a);
        assertThat(validation).hasSize(2000);
        for (long index = 0; index < 60; index++) {
            assertThat(TaskTesting.rows(a.trainBatch(index, 32))).doesNotContainAnyElementsOf(validation);
        }
    }

    @Test
    void baselineIsThePooledEntropyOfAnswerDigits() {
        Task task = create(Map.of("digits", 2), 1);
        // 2 uniform digits, plus a carry digit that is 1 with probability 99/200.
        double carry = 99 / 200.0;
        double[] p = new double[10];
        for (int k = 0; k < 10; k++) {
            p[k] = 0.2 / 3;
        }
        p[0] += (1 - carry) / 3;
        p[1] += carry / 3;
        double entropy = 0;
        for (double q : p) {
            entropy -= q * Math.log(q);
        }
        assertThat(task.baselineLoss()).isCloseTo(entropy, within(1e-12));
        assertThat(task.baselineLoss()).isLessThan(Math.log(10));
        assertThat(task.baselineName()).isEqualTo("unigram over answer digits");

        // ... and matches the digits the task actually produces.
        long[] counts = new long[10];
        long total = 0;
        for (long index = 0; index < 20; index++) {
            Batch batch = task.trainBatch(index, 256);
            for (int i = 0; i < batch.inputs().length; i++) {
                if (batch.weights()[i] != 0f) {
                    counts[batch.targets()[i]]++;
                    total++;
                }
            }
        }
        double empirical = 0;
        for (long c : counts) {
            double q = (double) c / total;
            empirical -= q * Math.log(q);
        }
        assertThat(empirical).isCloseTo(entropy, within(0.01));
    }

    @Test
    void refusesParametersThatCannotWork() {
        assertThatThrownBy(() -> create(Map.of("digits", 13), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("task.addition: digits=13 is outside [1, 12]");
        assertThatThrownBy(() -> create(Map.of("digits", 1), 1))
                .hasMessage("task.addition: only 100 distinct sequences exist for digits=1; validation_size=512 needs "
                        + "at least 1024 (raise digits, or lower validation_size)");
        assertThat(create(Map.of("digits", 1, "validation_size", 20), 1).validationSize()).isEqualTo(20);
        assertThat(create(Map.of("digits", 12), 1).trainBatch(0, 2).length()).isEqualTo(39);
    }
}
