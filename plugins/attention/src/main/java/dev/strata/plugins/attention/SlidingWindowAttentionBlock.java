package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Local attention: each position reads only the {@code window} nearest positions (causal: itself
 * and the {@code window - 1} before it; not causal: {@code window - 1} on each side).
 *
 * <p>The band is applied as an additive mask over the full T x T scores, which costs O(n^2) rather
 * than the O(n w) of a blocked kernel. At the sequence lengths searched here (up to a few hundred)
 * one dense batched matmul is faster on CPU than gathering overlapping chunks, and the result is
 * identical; the catalogue lists the algorithm's O(n w).
 */
final class SlidingWindowAttentionBlock extends ProjectedAttentionBlock {

    private final int window;

    SlidingWindowAttentionBlock(int dModel, int heads, int window, boolean causal) {
        super(dModel, heads, causal);
        this.window = window;
    }

    @Override
    protected NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training) {
        NDArray mask = Attention.window(q, q.getShape().get(2), window, causal);
        return Attention.softmaxAttend(q.mul(scale()), k, v, mask);
    }
}
