package dev.strata.core.training;

import dev.strata.api.Params;

/**
 * Which task a trial trains on: task component id, its resolved parameters, and the data seed.
 *
 * @param baseDir folder relative file names in {@code params} are resolved against
 */
public record TaskSpec(String id, Params params, long dataSeed, String baseDir) {

    /** Canonical text, part of the trial cache key (the folder is not: the data is). */
    public String canonical() {
        return id + params + "#seed=" + dataSeed;
    }
}
