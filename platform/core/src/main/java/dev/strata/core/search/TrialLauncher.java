package dev.strata.core.search;

import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.util.concurrent.CompletableFuture;

/** Runs trials somewhere (worker processes, in tests a function) and reports their results. */
@FunctionalInterface
public interface TrialLauncher {
    CompletableFuture<TrialResult> launch(TrialRequest request);
}
