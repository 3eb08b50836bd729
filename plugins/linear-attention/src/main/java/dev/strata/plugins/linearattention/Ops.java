package dev.strata.plugins.linearattention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.strata.api.Dimension;

/** Tensor helpers shared by the linear-attention blocks: heads, chunks, masks, norms, gates. */
final class Ops {

    static final String HEADS = "heads";
    static final String CHUNK = "chunk";
    private static final int[] LAST_AXIS = {-1};

    private Ops() {}

    static Dimension headsDimension() {
        return Dimension.integer(HEADS, 4, 1, 64, 1, 2, 4, 8)
                .describe("heads; must divide d_model (4 gives head_dim 16 at d_model 64)");
    }

    /**
     * Tokens per chunk of the training form. It changes speed, not the function computed, so a
     * search tries only the default unless a search space lists values.
     */
    static Dimension chunkDimension(int defaultValue, String constraint) {
        return Dimension.integer(CHUNK, defaultValue, 16, 64)
                .describe("tokens per chunk of the chunked training form, 16..64" + constraint
                        + "; changes speed, not the function computed");
    }

    /** Refuses a width that is not a positive multiple of the head count. */
    static void requireDivisible(String id, String what, long width, int heads) {
        if (heads <= 0 || width <= 0 || width % heads != 0) {
            throw new IllegalArgumentException(id + ": " + what + " " + width + " is not divisible by heads " + heads);
        }
    }

    static void requirePowerOfTwo(String id, int chunk) {
        if (chunk <= 0 || Integer.bitCount(chunk) != 1) {
            throw new IllegalArgumentException(id + ": chunk " + chunk + " is not a power of two");
        }
    }

    /** (B, T, H*E) -> (B, H, T, E). */
    static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** (B, H, T, E) -> (B, T, H*E). */
    static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /** The chunk length actually used: the configured one, or less for short sequences. */
    static int effectiveChunk(int chunk, long seq, boolean powerOfTwo) {
        if (seq >= chunk) {
            return chunk;
        }
        if (!powerOfTwo) {
            return (int) seq;
        }
        int size = 1;
        while (size < seq) {
            size <<= 1; // the smallest power of two that holds the whole sequence
        }
        return size;
    }

    /** Number of padded steps that make {@code seq} a multiple of {@code chunk}. */
    static long padding(long seq, int chunk) {
        return (chunk - seq % chunk) % chunk;
    }

    /** Appends {@code pad} zero steps on axis 2 of (B, H, T, E). */
    static NDArray padTime(NDArray x, long pad) {
        if (pad == 0) {
            return x;
        }
        Shape s = x.getShape();
        NDArray zeros = x.getManager().zeros(new Shape(s.get(0), s.get(1), pad, s.get(3)), x.getDataType(), x.getDevice());
        return NDArrays.concat(new NDList(x, zeros), 2);
    }

    /** (B, H, T, E) with T a multiple of C -> (B, H, T/C, C, E). */
    static NDArray chunks(NDArray x, int chunk) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), s.get(2) / chunk, chunk, s.get(3));
    }

    /** (B, H, N, C, E) -> (B, H, T, E) with the first {@code seq} steps. */
    static NDArray unchunk(NDArray x, long seq) {
        Shape s = x.getShape();
        NDArray flat = x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3), s.get(4));
        return flat.getShape().get(2) == seq ? flat : flat.get(":, :, :" + seq + ", :");
    }

    /**
     * (C, C) float mask: 1 where column <= row (or column < row when {@code strict}), else 0. Built
     * on the device of {@code like}.
     */
    static NDArray lowerMask(NDArray like, int size, boolean strict) {
        NDArray positions = like.getManager().arange(0f, size, 1f, DataType.FLOAT32, like.getDevice());
        NDArray rows = positions.reshape(size, 1);
        NDArray cols = positions.reshape(1, size);
        NDArray keep = strict ? cols.lt(rows) : cols.lte(rows);
        return keep.toType(like.getDataType(), false);
    }

    /** (C, C) identity on the device of {@code like}. */
    static NDArray identity(NDArray like, int size) {
        return like.getManager().eye(size, size, 0, like.getDataType()).toDevice(like.getDevice(), false);
    }

    /**
     * Log-decays below this are treated as this: exp(-30) ~ 1e-13 is already negligible next to
     * float32 precision, while exp below about -87 gives subnormal floats, which make CPU matmuls
     * an order of magnitude slower (measured: 14x for gated DeltaNet with chunk 64).
     */
    static final float MIN_LOG_DECAY = -30f;

    /** exp of a log-decay, clamped to [MIN_LOG_DECAY, 0]: in (0, 1], never subnormal. */
    static NDArray decay(NDArray logDecay) {
        return logDecay.clip(MIN_LOG_DECAY, 0f).exp();
    }

    /** elu(x) + 1 = x + 1 for x > 0, exp(x) otherwise: positive, and exp only of non-positive values. */
    static NDArray eluPlusOne(NDArray x) {
        return Activation.relu(x).add(x.minimum(0f).exp());
    }

    /** x * sigmoid(x). */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** log(sigmoid(x)) = -softplus(-x), stable for any x. */
    static NDArray logSigmoid(NDArray x) {
        return Activation.softPlus(x.neg()).neg();
    }

    /** x / sqrt(sum(x^2) + eps) over the last axis. */
    static NDArray l2Normalize(NDArray x) {
        return x.mul(x.square().sum(LAST_AXIS, true).add(1e-12f).pow(-0.5f));
    }

    /** RMS norm over the last axis (a head's channels) with a gain that broadcasts over it. */
    static NDArray rmsNorm(NDArray x, NDArray gain, float epsilon) {
        return x.mul(x.square().mean(LAST_AXIS, true).add(epsilon).pow(-0.5f)).mul(gain);
    }

    /** Standardises the last axis (a head's channels): (x - mean) / sqrt(var + eps). */
    static NDArray standardize(NDArray x, float epsilon) {
        NDArray centred = x.sub(x.mean(LAST_AXIS, true));
        return centred.mul(centred.square().mean(LAST_AXIS, true).add(epsilon).pow(-0.5f));
    }
}
