package dev.strata.core.search;

import dev.strata.core.architecture.Architecture;
import java.time.Duration;
import java.util.List;

/**
 * How a search ended.
 *
 * @param searchId id in the results store
 * @param trained trials started (distinct architectures)
 * @param failed trials that failed
 * @param bestTrialId best trial, or -1 when every trial failed
 * @param bestValLoss its validation loss (+infinity when none succeeded)
 * @param proposed the architectures trained, in order
 * @param wall wall-clock time of the search
 */
public record SearchOutcome(
        long searchId, int trained, int failed, long bestTrialId, double bestValLoss, List<Architecture> proposed, Duration wall) {}
