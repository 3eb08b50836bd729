package dev.strata.plugins.tasks;

import dev.strata.api.Batch;
import dev.strata.api.Task;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A {@link Task} over generated sequences with a fixed validation set that training never sees.
 *
 * <p>The validation set is {@code validationSize} distinct sequences drawn from the validation
 * stream. Training batch {@code i} is drawn from its own generator, seeded from (seed, i), and any
 * sequence whose content hash is in the validation set is redrawn: the two sets are disjoint by
 * construction, not by luck. The model reads {@code inputs} and predicts the next token at each
 * position; the last position has no next token and is never scored.
 */
final class SyntheticTask implements Task {

    /** Validation may take at most this fraction of all sequences, so redraws stay rare. */
    static final int ROOM_FACTOR = 2;

    private static final int MAX_DRAWS_PER_SEQUENCE = 10_000;

    private final SequenceSource source;
    private final long seed;
    private final int length;
    private final float[] weights;
    private final int[][] validation;
    private final Set<Long> validationHashes;

    SyntheticTask(SequenceSource source, long seed, int validationSize) {
        this.source = source;
        this.seed = seed;
        this.length = source.sequenceLength();
        this.weights = source.weights().clone();
        if (weights.length != length || weights[length - 1] != 0f) {
            throw new IllegalStateException("weights must cover the sequence and leave the last position unscored");
        }
        this.validation = new int[validationSize][];
        this.validationHashes = new HashSet<>(validationSize * 2);
        SplittableRandom random = new SplittableRandom(Seeds.validation(seed));
        int filled = 0;
        long draws = 0;
        long maxDraws = (long) MAX_DRAWS_PER_SEQUENCE + 100L * validationSize;
        while (filled < validationSize) {
            if (++draws > maxDraws) {
                throw new IllegalStateException("could not draw " + validationSize + " distinct validation sequences");
            }
            int[] sequence = new int[length];
            source.fill(random, sequence);
            if (validationHashes.add(Seeds.hash(sequence))) {
                validation[filled++] = sequence;
            }
        }
    }

    /**
     * Refuses a validation set that would take more than 1/{@link #ROOM_FACTOR} of all possible
     * sequences (training would mostly redraw, or could not exist at all).
     */
    static void requireRoom(TaskParameters p, SequenceSource source, int validationSize, String describe, String hint) {
        double needed = Math.log((double) validationSize * ROOM_FACTOR);
        double available = source.logDistinctSequences();
        if (available < needed) {
            throw p.refuse("only " + String.format("%.0f", Math.exp(available)) + " distinct sequences exist for "
                    + describe + "; validation_size=" + validationSize + " needs at least "
                    + (long) validationSize * ROOM_FACTOR + " (" + hint + ", or lower validation_size)");
        }
    }

    @Override
    public int vocabSize() {
        return source.vocabSize();
    }

    @Override
    public int sequenceLength() {
        return length;
    }

    @Override
    public Batch trainBatch(long index, int batchSize) {
        requirePositive(batchSize);
        SplittableRandom random = new SplittableRandom(Seeds.trainBatch(seed, index));
        BatchBuilder batch = new BatchBuilder(batchSize);
        int[] sequence = new int[length];
        for (int row = 0; row < batchSize; row++) {
            int draws = 0;
            do {
                if (++draws > MAX_DRAWS_PER_SEQUENCE) {
                    throw new IllegalStateException("training keeps drawing validation sequences");
                }
                source.fill(random, sequence);
            } while (validationHashes.contains(Seeds.hash(sequence)));
            batch.put(row, sequence);
        }
        return batch.build();
    }

    @Override
    public int validationSize() {
        return validation.length;
    }

    @Override
    public Batch validationBatch(int from, int count) {
        requirePositive(count);
        if (from < 0 || from + count > validation.length) {
            throw new IndexOutOfBoundsException("validation [" + from + ", " + (from + count)
                    + ") outside [0, " + validation.length + ")");
        }
        BatchBuilder batch = new BatchBuilder(count);
        for (int row = 0; row < count; row++) {
            batch.put(row, validation[from + row]);
        }
        return batch.build();
    }

    @Override
    public double baselineLoss() {
        return source.baselineLoss();
    }

    @Override
    public String baselineName() {
        return source.baselineName();
    }

    private static void requirePositive(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + n);
        }
    }

    /** Lays sequences out as next-token batches: targets are the inputs shifted by one. */
    private final class BatchBuilder {
        private final int size;
        private final int[] inputs;
        private final int[] targets;
        private final float[] batchWeights;

        BatchBuilder(int size) {
            this.size = size;
            this.inputs = new int[size * length];
            this.targets = new int[size * length];
            this.batchWeights = new float[size * length];
        }

        void put(int row, int[] sequence) {
            int base = row * length;
            System.arraycopy(sequence, 0, inputs, base, length);
            System.arraycopy(sequence, 1, targets, base, length - 1);
            // targets[base + length - 1] stays 0: no next token, and its weight is 0.
            System.arraycopy(weights, 0, batchWeights, base, length);
        }

        Batch build() {
            return new Batch(size, length, inputs, targets, batchWeights);
        }
    }
}
