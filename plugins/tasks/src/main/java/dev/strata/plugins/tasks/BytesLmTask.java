package dev.strata.plugins.tasks;

import dev.strata.api.Batch;
import dev.strata.api.Task;
import java.util.SplittableRandom;

/**
 * Next-byte prediction on one file. Bytes {@code [0, boundary)} are training, {@code [boundary, n)}
 * validation; a window of {@code context} inputs reads {@code context + 1} bytes (the last target
 * is the byte after the last input) and never crosses the boundary, so no validation byte is ever
 * a training input or target. Every position is scored.
 */
final class BytesLmTask implements Task {

    /** Validation windows kept, so that evaluation stays cheap on big files. */
    static final int MAX_VALIDATION_WINDOWS = 256;

    private final byte[] data;
    private final int boundary;
    private final int context;
    private final long seed;
    private final int validationWindows;
    private final double baseline;

    BytesLmTask(byte[] data, int boundary, int context, long seed) {
        this.data = data;
        this.boundary = boundary;
        this.context = context;
        this.seed = seed;
        // Consecutive windows with stride `context`: inputs never overlap, each byte is predicted once.
        int validationBytes = data.length - boundary;
        this.validationWindows = Math.min(MAX_VALIDATION_WINDOWS, (validationBytes - 1) / context);
        this.baseline = unigramEntropy(data, boundary);
    }

    @Override
    public int vocabSize() {
        return 256;
    }

    @Override
    public int sequenceLength() {
        return context;
    }

    /** Uniformly random window starts in the training part, from a generator seeded by (seed, index). */
    @Override
    public Batch trainBatch(long index, int batchSize) {
        requirePositive(batchSize);
        SplittableRandom random = new SplittableRandom(Seeds.trainBatch(seed, index));
        Batch batch = newBatch(batchSize);
        int starts = boundary - context; // last start: boundary - context - 1, last target boundary - 1
        for (int row = 0; row < batchSize; row++) {
            put(batch, row, random.nextInt(starts));
        }
        return batch;
    }

    @Override
    public int validationSize() {
        return validationWindows;
    }

    @Override
    public Batch validationBatch(int from, int count) {
        requirePositive(count);
        if (from < 0 || from + count > validationWindows) {
            throw new IndexOutOfBoundsException("validation [" + from + ", " + (from + count)
                    + ") outside [0, " + validationWindows + ")");
        }
        Batch batch = newBatch(count);
        for (int row = 0; row < count; row++) {
            put(batch, row, boundary + (from + row) * context);
        }
        return batch;
    }

    @Override
    public double baselineLoss() {
        return baseline;
    }

    @Override
    public String baselineName() {
        return "unigram over training bytes";
    }

    private Batch newBatch(int size) {
        int n = size * context;
        float[] weights = new float[n];
        java.util.Arrays.fill(weights, 1f);
        return new Batch(size, context, new int[n], new int[n], weights);
    }

    private void put(Batch batch, int row, int start) {
        int base = row * context;
        for (int t = 0; t < context; t++) {
            batch.inputs()[base + t] = data[start + t] & 0xFF;
            batch.targets()[base + t] = data[start + t + 1] & 0xFF;
        }
    }

    /** Entropy in nats of the byte frequencies of {@code data[0, end)}. */
    static double unigramEntropy(byte[] data, int end) {
        long[] counts = new long[256];
        for (int i = 0; i < end; i++) {
            counts[data[i] & 0xFF]++;
        }
        double entropy = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / end;
                entropy -= p * Math.log(p);
            }
        }
        return entropy;
    }

    private static void requirePositive(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + n);
        }
    }
}
