package dev.strata.core.results;

import dev.strata.core.architecture.Architecture;
import java.time.Instant;

/**
 * Everything the {@code trial} table holds about one trial, for {@code strata results show},
 * {@code compare} and {@code export}. Unmeasured numbers are NaN; {@code params} is 0 when unknown.
 *
 * @param parentTrialId the trial it was mutated from, or null
 * @param cachedFromTrialId for a cached trial, the trial that was actually trained; else null
 * @param architectureJson canonical architecture JSON
 * @param recipeJson the recipe it trained with (null before schema version 2)
 * @param componentVersionsJson component id to "plugin@version/componentVersion", or null
 * @param rung multi-fidelity rung (0 unless the search promotes candidates)
 */
public record TrialRecord(
        long id, long searchId, int ordinal, int generation, Long parentTrialId, Long cachedFromTrialId,
        String fingerprint, String architectureJson, String summary, String taskKey, String recipeKey, String recipeJson,
        long seed, String device, String status, String error, String componentVersionsJson, Instant startedAt,
        Instant finishedAt, int rung, double valLoss, double valAccuracy, long params, double trainSeconds) {

    public Architecture architecture() {
        return Architecture.fromJson(architectureJson);
    }

    /** ok or cached: the trial has results. */
    public boolean finished() {
        return "ok".equals(status) || "cached".equals(status);
    }

    /** The trial whose training produced these results: the cache source, or this trial. */
    public long trainedTrialId() {
        return cachedFromTrialId != null ? cachedFromTrialId : id;
    }
}
