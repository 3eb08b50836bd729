package dev.strata.core.search;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.genome.Candidate;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

/**
 * How a search ended.
 *
 * @param searchId id in the results store
 * @param trained trials started (distinct candidates)
 * @param failed trials that failed
 * @param bestTrialId best trial, or -1 when every trial failed
 * @param bestValLoss its validation loss (+infinity when none succeeded)
 * @param candidates the candidates trained (architecture and recipe), in order
 * @param spaceSize how many distinct candidates the space holds ({@code Genome.size()})
 * @param wall wall-clock time of the search
 * @param cacheHits trials answered from an earlier search's results instead of trained (counted in
 *     {@code trained}, which counts the candidates the search evaluated)
 * @param earlyStop whether the search stopped hopeless trials early (the median stopping rule)
 * @param stoppedEarly trials it trained that stopped early
 * @param stepsSaved optimizer steps early stopping saved (recipe steps minus steps trained, over those trials)
 * @param stepsPlanned recipe steps of all the trials it trained successfully, stopped or not
 */
public record SearchOutcome(
        long searchId, int trained, int failed, long bestTrialId, double bestValLoss, List<Candidate> candidates,
        BigInteger spaceSize, Duration wall, int cacheHits, boolean earlyStop, int stoppedEarly, long stepsSaved, long stepsPlanned) {

    public SearchOutcome {
        candidates = List.copyOf(candidates);
    }

    /** The architectures trained, in order (one per candidate, so repeated across searched recipes). */
    public List<Architecture> proposed() {
        return candidates.stream().map(Candidate::architecture).toList();
    }
}
