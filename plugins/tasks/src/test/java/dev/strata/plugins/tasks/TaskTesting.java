package dev.strata.plugins.tasks;

import dev.strata.api.Batch;
import dev.strata.api.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Helpers shared by the task tests. */
final class TaskTesting {

    private TaskTesting() {}

    /** The input rows of a batch, as lists so they compare by content. */
    static List<List<Integer>> rows(Batch batch) {
        List<List<Integer>> rows = new ArrayList<>();
        for (int r = 0; r < batch.size(); r++) {
            int[] row = Arrays.copyOfRange(batch.inputs(), r * batch.length(), (r + 1) * batch.length());
            rows.add(Arrays.stream(row).boxed().toList());
        }
        return rows;
    }

    static Set<List<Integer>> validationRows(Task task) {
        return new HashSet<>(rows(task.validationBatch(0, task.validationSize())));
    }

    static boolean sameBatch(Batch a, Batch b) {
        return a.size() == b.size() && a.length() == b.length() && Arrays.equals(a.inputs(), b.inputs())
                && Arrays.equals(a.targets(), b.targets()) && Arrays.equals(a.weights(), b.weights());
    }

    /** Targets are the next input; the last position of each row is never scored. */
    static void checkNextTokenLayout(Batch batch) {
        int n = batch.length();
        for (int r = 0; r < batch.size(); r++) {
            for (int t = 0; t < n - 1; t++) {
                if (batch.targets()[r * n + t] != batch.inputs()[r * n + t + 1]) {
                    throw new AssertionError("target at row " + r + ", position " + t + " is not the next input");
                }
            }
            if (batch.weights()[r * n + n - 1] != 0f) {
                throw new AssertionError("last position of row " + r + " is scored");
            }
        }
    }
}
