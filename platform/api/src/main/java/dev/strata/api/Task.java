package dev.strata.api;

/**
 * Data of one task instance. Sequences are next-token prediction: at every position the model sees
 * {@code inputs} up to there and is scored on {@code targets} with per-position {@code weights}
 * (0 where a position is not scored, e.g. the key-value context of associative recall).
 */
public interface Task {

    /** Number of distinct tokens; model outputs are logits over this many classes. */
    int vocabSize();

    /** Length of every sequence. */
    int sequenceLength();

    /** True if the model must not read future positions (all next-token tasks). */
    default boolean causal() {
        return true;
    }

    /**
     * Training batch number {@code index}. Deterministic in (seed, index); never contains a
     * validation sequence.
     */
    Batch trainBatch(long index, int batchSize);

    /** Number of validation sequences (a fixed set). */
    int validationSize();

    /** Validation sequences {@code [from, from + count)}. */
    Batch validationBatch(int from, int count);

    /**
     * Loss (mean cross-entropy in nats per scored token) of a trivial predictor that ignores the
     * context, e.g. uniform over the possible answers or the unigram distribution of targets. A
     * model that does not beat it has learned nothing.
     */
    double baselineLoss();

    /** What the baseline is, e.g. "uniform over 32 values". */
    String baselineName();
}
