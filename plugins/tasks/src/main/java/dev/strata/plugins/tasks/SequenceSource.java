package dev.strata.plugins.tasks;

import java.util.SplittableRandom;

/**
 * A synthetic task's generator: draws one sequence from a random stream. Every sequence has the
 * same length and the same scored positions, so the loss weights are a fixed template.
 */
interface SequenceSource {

    int vocabSize();

    int sequenceLength();

    /**
     * Loss weight of each position (1 where the next token is an answer). The last position has no
     * next token and must be 0.
     */
    float[] weights();

    /** Fills {@code out} (length {@link #sequenceLength()}) with one sequence drawn from {@code random}. */
    void fill(SplittableRandom random, int[] out);

    /** Natural log of the number of distinct sequences, to check the validation set leaves room. */
    double logDistinctSequences();

    double baselineLoss();

    String baselineName();
}
