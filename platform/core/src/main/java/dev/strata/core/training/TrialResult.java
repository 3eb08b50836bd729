package dev.strata.core.training;

import java.util.List;
import java.util.Map;

/**
 * What a worker reports back for one trial.
 *
 * @param trialId the request's trial id
 * @param ok true when training finished; false with {@code error} set otherwise
 * @param error one-line reason of a failure (exception, NaN loss, time limit, worker crash)
 * @param metrics named numbers: val_loss, val_accuracy, train_loss, params, flops_per_token,
 *     tokens_per_second, peak_memory_mb, train_seconds, step_seconds, baseline_loss, and
 *     stopped_at_step for a trial stopped early
 * @param curve training and validation curve
 * @param componentVersions component id -> "pluginId@pluginVersion/componentVersion" of every
 *     component the trial used
 */
public record TrialResult(
        long trialId, boolean ok, String error, Map<String, Double> metrics, List<CurvePoint> curve,
        Map<String, String> componentVersions) {

    public static TrialResult failed(long trialId, String error) {
        return new TrialResult(trialId, false, error, Map.of(), List.of(), Map.of());
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
