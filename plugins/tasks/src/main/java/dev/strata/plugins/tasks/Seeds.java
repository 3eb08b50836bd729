package dev.strata.plugins.tasks;

/**
 * Stateless seed arithmetic, so that every batch is a pure function of (seed, stream, index) and
 * tasks keep no mutable random state. Changing anything here changes every task's data: bump the
 * tasks' versions if you do.
 */
final class Seeds {

    /** Stream of training batches; each batch index gets its own generator from it. */
    static final long TRAIN = 0x7452_4149_4E00_0001L;
    /** Stream of the fixed validation set; never used for training. */
    static final long VALIDATION = 0x5641_4C49_4400_0002L;

    private Seeds() {}

    /** SplitMix64's finaliser: a bijection on longs that spreads every input bit to every output bit. */
    static long scramble(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Combines two values into a well-mixed seed; a bijection in each argument for the other fixed. */
    static long mix(long a, long b) {
        return scramble(scramble(a) + b * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
    }

    /** Seed of training batch {@code index}. */
    static long trainBatch(long seed, long index) {
        return mix(mix(seed, TRAIN), index);
    }

    /** Seed of the validation set. */
    static long validation(long seed) {
        return mix(seed, VALIDATION);
    }

    /**
     * 64-bit content hash of a token sequence. Equal sequences always hash equal, so a training
     * sequence whose hash is in the validation set is rejected; a collision only costs a redraw.
     */
    static long hash(int[] tokens) {
        long h = tokens.length;
        for (int token : tokens) {
            h = mix(h, token);
        }
        return h;
    }
}
