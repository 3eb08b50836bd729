package dev.strata.core.training;

import dev.strata.core.architecture.Architecture;

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
 */
public record TrialRequest(long trialId, Architecture architecture, TaskSpec task, Recipe recipe, long seed, String weightsFile) {

    /** A request whose trained weights are not kept. */
    public TrialRequest(long trialId, Architecture architecture, TaskSpec task, Recipe recipe, long seed) {
        this(trialId, architecture, task, recipe, seed, null);
    }

    /** The same request, saving the trained weights to {@code file} (null: keep none). */
    public TrialRequest withWeightsFile(String file) {
        return new TrialRequest(trialId, architecture, task, recipe, seed, file);
    }
}
