package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * The frame shared by the variants that keep multi-head attention's projections and change only
 * how heads attend: one fused {@code d -> 3d} Q/K/V linear (with bias, as {@code attention.mha}),
 * a split into {@code (B, H, T, Dh)} heads, {@link #attend}, a merge and the {@code d -> d} output
 * linear. Keeping the projections identical makes the variants comparable parameter for parameter.
 *
 * <p>Children are registered first ({@code qkv}, {@code out}); subclasses add their own
 * parameters in their constructors after calling this one.
 */
abstract class ProjectedAttentionBlock extends SequenceBlock {

    protected final int heads;
    protected final int headDim;
    protected final boolean causal;
    private final Linear qkv;
    private final Linear out;

    ProjectedAttentionBlock(int dModel, int heads, boolean causal) {
        this.heads = heads;
        this.headDim = dModel / heads;
        this.causal = causal;
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected final NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        // (B, T, 3D) -> (B, T, 3, H, Dh) -> (3, B, H, T, Dh): q, k, v in one matmul and one permute.
        NDArray projected = qkv.forward(store, inputs, training).singletonOrThrow()
                .reshape(batch, seq, 3, heads, headDim)
                .transpose(2, 0, 3, 1, 4);
        NDArray attended = attend(store, projected.get(0), projected.get(1), projected.get(2), training);
        return out.forward(store, new NDList(Attention.merge(attended)), training);
    }

    /**
     * Mixes positions within each head.
     *
     * @param q queries (B, H, T, Dh), unscaled
     * @param k keys (B, H, T, Dh)
     * @param v values (B, H, T, Dh)
     * @return (B, H, T, Dh)
     */
    protected abstract NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training);

    /** 1 / sqrt(Dh), the usual dot-product scale. */
    protected final float scale() {
        return (float) (1.0 / Math.sqrt(headDim));
    }
}
