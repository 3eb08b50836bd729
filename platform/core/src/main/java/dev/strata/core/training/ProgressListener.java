package dev.strata.core.training;

/** Hears how a trial's training goes: its mean training loss every few steps. */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = (trialId, step, loss) -> {};

    /**
     * @param trialId the trial
     * @param step optimizer steps done so far (1-based)
     * @param loss mean training loss since the previous report
     */
    void onProgress(long trialId, int step, double loss);
}
