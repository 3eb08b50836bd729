package dev.strata.api;

/**
 * A batch of sequences as flat row-major arrays of {@code size * length} entries.
 *
 * @param size number of sequences
 * @param length tokens per sequence
 * @param inputs input token ids
 * @param targets target token id at each position
 * @param weights loss weight at each position (0 = not scored)
 */
public record Batch(int size, int length, int[] inputs, int[] targets, float[] weights) {
    public Batch {
        int n = size * length;
        if (inputs.length != n || targets.length != n || weights.length != n) {
            throw new IllegalArgumentException("batch arrays must have " + n + " entries");
        }
    }
}
