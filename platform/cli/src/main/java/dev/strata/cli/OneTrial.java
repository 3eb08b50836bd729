package dev.strata.cli;

import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import dev.strata.core.worker.WorkerConfig;
import dev.strata.core.worker.WorkerPool;
import java.nio.file.Path;

/** Trains one request in a worker process, as a search would (same worker, same thread count on this machine). */
final class OneTrial {

    private OneTrial() {}

    static TrialResult train(Path plugins, String device, TrialRequest request) {
        try (WorkerPool pool = new WorkerPool(WorkerConfig.of(plugins, device, 1))) {
            return pool.submit(request).join();
        }
    }
}
