package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.strata.api.Dimension;

/**
 * Pieces every softmax-attention variant of this package uses: head reshapes, additive masks, the
 * softmax-weighted sum, and the argument checks with their one-line messages.
 *
 * <p>Masks are built per forward pass from an {@code arange} (a few T x T element-wise ops, cheap
 * next to the score matmul) so that no array outlives the pass that made it.
 */
final class Attention {

    /** Added to the scores of hidden positions; see {@link MultiHeadAttentionBlock#MASKED}. */
    static final float MASKED = MultiHeadAttentionBlock.MASKED;

    private Attention() {}

    /** The shared "heads" dimension of this family. */
    static Dimension headsDimension(int defaultValue, Integer... searchValues) {
        return Dimension.integer("heads", defaultValue, 1, 64, searchValues)
                .describe("attention (query) heads; must divide d_model");
    }

    /** Refuses a head count that does not split d_model evenly. */
    static int headDim(String id, int dModel, int heads) {
        if (heads < 1 || dModel % heads != 0) {
            throw new IllegalArgumentException(id + ": d_model " + dModel + " is not divisible by heads " + heads);
        }
        return dModel / heads;
    }

    /** (B, T, H * Dh) -> (B, H, T, Dh). */
    static NDArray split(NDArray x, int heads) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        long headDim = x.getShape().get(2) / heads;
        return x.reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
    }

    /** (B, H, T, Dh) -> (B, T, H * Dh). */
    static NDArray merge(NDArray heads) {
        long batch = heads.getShape().get(0);
        long seq = heads.getShape().get(2);
        return heads.transpose(0, 2, 1, 3).reshape(batch, seq, heads.getShape().get(1) * heads.getShape().get(3));
    }

    /**
     * softmax(q k^T + mask) v over the last two axes; q must already carry the 1/sqrt(Dh) scale.
     * Leading axes broadcast (a (B, G, 1, T, Dh) key serves (B, G, H/G, T, Dh) queries).
     */
    static NDArray softmaxAttend(NDArray q, NDArray k, NDArray v, NDArray mask) {
        NDArray scores = scores(q, k);
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(v);
    }

    /** q k^T over the last two axes. */
    static NDArray scores(NDArray q, NDArray k) {
        int rank = k.getShape().dimension();
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        axes[rank - 2] = rank - 1;
        axes[rank - 1] = rank - 2;
        return q.matMul(k.transpose(axes));
    }

    /** The causal mask (T, T), or null when the block is not causal (no mask at all). */
    static NDArray causalMaskOrNull(boolean causal, NDArray like, long seq) {
        return causal ? window(like, seq, Integer.MAX_VALUE, true) : null;
    }

    /**
     * (T, T) additive mask: 0 where query row i may read key column j, {@link #MASKED} elsewhere.
     * Causal: {@code 0 <= i - j < window} (the last {@code window} positions, itself included).
     * Not causal: {@code |i - j| < window} (the same reach, mirrored). {@code window} at least T
     * gives the plain causal mask, or no masking at all.
     */
    static NDArray window(NDArray like, long seq, int window, boolean causal) {
        NDArray positions = like.getManager().arange(0f, seq, 1f, DataType.FLOAT32, like.getDevice());
        NDArray distance = positions.reshape(seq, 1).sub(positions.reshape(1, seq)); // i - j
        NDArray hidden = causal
                ? distance.lt(0f).logicalOr(distance.gte((float) window))
                : distance.abs().gte((float) window);
        return additive(hidden, like.getDataType());
    }

    /**
     * A boolean "hidden" array as an additive mask of the scores' type. Built in float32 (where
     * 0 * -1e9 is exactly 0) and cast once: in float16 -1e9 becomes -inf, which is still safe to add
     * to finite scores because no row is fully hidden.
     */
    static NDArray additive(NDArray hidden, DataType type) {
        NDArray mask = hidden.toType(DataType.FLOAT32, false).mul(MASKED);
        return type == DataType.FLOAT32 ? mask : mask.toType(type, false);
    }

    /** x / sqrt(mean(x^2) + eps) over the last axis. */
    static NDArray rmsNormalize(NDArray x, float epsilon) {
        return x.mul(x.square().mean(LAST_AXIS, true).add(epsilon).pow(-0.5f));
    }

    private static final int[] LAST_AXIS = {-1};
}
