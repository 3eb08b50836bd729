/**
 * Training one trial in this process: {@link dev.strata.core.training.TrialTrainer} turns a
 * {@link dev.strata.core.training.TrialRequest} (architecture, task, recipe, seed) into a
 * {@link dev.strata.core.training.TrialResult} (metrics, curve, component versions, or a one-line
 * failure). One trial at a time per JVM: DJL allows one gradient collector per process, which is
 * why trials run in worker processes ({@code dev.strata.core.worker}).
 */
package dev.strata.core.training;
