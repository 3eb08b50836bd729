package dev.strata.core.training;

import dev.strata.core.architecture.Architecture;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a worker needs to train one candidate, and everything that determines its result.
 *
 * @param trialId the results store's id of the trial
 * @param architecture the candidate
 * @param task the task and its data seed
 * @param recipe how to train
 * @param seed initialisation and batch-order seed
 * @param weightsFile where the worker saves the trained parameters (DJL's parameter format), or
 *     null to keep none; not part of what determines the result
 * @param stopThresholds early stopping (the median stopping rule, see {@link MedianStopping}):
 *     evaluation step -> validation loss; a trial whose validation loss at one of these steps is
 *     above the threshold stops there. Empty: train every step of the recipe
 */
public record TrialRequest(long trialId, Architecture architecture, TaskSpec task, Recipe recipe, long seed, String weightsFile,
        SortedMap<Integer, Double> stopThresholds) {

    public TrialRequest {
        stopThresholds = stopThresholds == null || stopThresholds.isEmpty() ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(stopThresholds));
    }

    /** A request that trains every step. */
    public TrialRequest(long trialId, Architecture architecture, TaskSpec task, Recipe recipe, long seed, String weightsFile) {
        this(trialId, architecture, task, recipe, seed, weightsFile, null);
    }

    /** A request whose trained weights are not kept. */
    public TrialRequest(long trialId, Architecture architecture, TaskSpec task, Recipe recipe, long seed) {
        this(trialId, architecture, task, recipe, seed, null, null);
    }

    /** The same request, saving the trained weights to {@code file} (null: keep none). */
    public TrialRequest withWeightsFile(String file) {
        return new TrialRequest(trialId, architecture, task, recipe, seed, file, stopThresholds);
    }

    /** The same request with these early-stopping thresholds (null or empty: none). */
    public TrialRequest withStopThresholds(Map<Integer, Double> thresholds) {
        return new TrialRequest(trialId, architecture, task, recipe, seed, weightsFile,
                thresholds == null ? null : new TreeMap<>(thresholds));
    }
}
