package dev.strata.core.search;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.training.TrialResult;

/** Hears about a search as it goes: the CLI draws a progress bar from this. */
public interface SearchListener {

    /** A trial was sent to a worker. */
    default void trialStarted(int ordinal, long trialId, Architecture architecture) {}

    /** A trial came back (ok or failed); {@code best} is the best validation loss so far. */
    default void trialFinished(int ordinal, long trialId, TrialResult result, double best) {}

    SearchListener NONE = new SearchListener() {};
}
