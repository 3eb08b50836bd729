package dev.strata.core.results;

/**
 * One trial as listings show it. Metrics that were not measured (a failed or running trial) are
 * {@code NaN}; {@code params} is 0 when unknown and {@code error} is null unless the trial failed.
 *
 * @param status running, ok, failed or cached
 * @param summary the architecture's short form ({@code Architecture.summary()})
 */
public record TrialSummary(
        long id, long searchId, int ordinal, int generation, String fingerprint, String summary, String status,
        double valLoss, double valAccuracy, long params, double trainSeconds, String error) {}
