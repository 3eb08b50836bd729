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
 */
public record TrialRequest(long trialId, Architecture architecture, TaskSpec task, Recipe recipe, long seed) {}
