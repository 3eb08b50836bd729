package dev.strata.core.results;

import java.time.Instant;

/**
 * One search as listings show it.
 *
 * @param status running, finished, failed or interrupted
 * @param trials how many trial rows it has (any status)
 * @param bestTrialId the best trial the search recorded when it finished, or while it runs (or
 *     when it recorded none) its ok/cached trial with the lowest validation loss; null if none
 * @param bestValLoss that trial's validation loss, or null
 * @param finishedAt null while running
 */
public record SearchSummary(
        long id, String name, String strategy, long seed, String status, int trials, Long bestTrialId,
        Double bestValLoss, Instant startedAt, Instant finishedAt) {}
