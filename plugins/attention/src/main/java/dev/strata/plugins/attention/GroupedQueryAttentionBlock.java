package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * Grouped-query attention: {@code heads} query heads share {@code kvHeads} key/value heads, query
 * head h reading K/V head {@code h / (heads / kvHeads)}. {@code kvHeads == 1} is multi-query
 * attention, {@code kvHeads == heads} multi-head attention.
 *
 * <p>One fused linear projects {@code d -> d + 2 * kvHeads * Dh} (Q, then K, then V); see
 * {@link #attendGrouped} for how the groups share their K/V head without copying it.
 */
final class GroupedQueryAttentionBlock extends SequenceBlock {

    private final int dModel;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final boolean causal;
    private final float scale;
    private final Linear qkv;
    private final Linear out;
    /** Slices of the fused projection along its last axis, parsed once. */
    private final NDIndex qPart;
    private final NDIndex kPart;
    private final NDIndex vPart;

    GroupedQueryAttentionBlock(int dModel, int heads, int kvHeads, boolean causal) {
        this.dModel = dModel;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = dModel / heads;
        this.causal = causal;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(dModel + 2L * kvHeads * headDim).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
        long kvWidth = (long) kvHeads * headDim;
        this.qPart = new NDIndex(":, :, :" + dModel);
        this.kPart = new NDIndex(":, :, " + dModel + ":" + (dModel + kvWidth));
        this.vPart = new NDIndex(":, :, " + (dModel + kvWidth) + ":");
    }

    /** Scalars of a block with these sizes: the fused Q/K/V linear and the output linear, with biases. */
    static long parameterCount(long dModel, int heads, int kvHeads) {
        long kvWidth = 2L * kvHeads * (dModel / heads);
        return (dModel + 1) * (dModel + kvWidth) + (dModel + 1) * dModel;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray projected = qkv.forward(store, inputs, training).singletonOrThrow();
        NDArray q = projected.get(qPart).mul(scale);
        NDArray k = projected.get(kPart);
        NDArray v = projected.get(vPart);
        NDArray attended = attendGrouped(q, k, v, heads, kvHeads, Attention.causalMaskOrNull(causal, x, seq));
        return out.forward(store, new NDList(attended.reshape(batch, seq, dModel)), training);
    }

    /**
     * Grouped attention from projected (B, T, H * Dh) queries (already scaled) and (B, T, G * Dh)
     * keys and values; returns (B, T, H, Dh) ready to be flattened. Shared with MLKV, whose
     * followers take k and v from their leader.
     *
     * <p>The H/G query heads of a group are stacked along the query axis, (B, G, H/G * T, Dh), so
     * each group is one plain batched matmul against its own K/V head: no broadcast matmul and no
     * copy of K/V per query head. The scores are viewed as (B, G, H/G, T, T) for the (T, T) mask.
     */
    static NDArray attendGrouped(NDArray q, NDArray k, NDArray v, int heads, int kvHeads, NDArray mask) {
        long batch = q.getShape().get(0);
        long seq = q.getShape().get(1);
        long headDim = q.getShape().get(2) / heads;
        int group = heads / kvHeads;
        // (B, T, G, H/G, Dh) -> (B, G, H/G, T, Dh) -> (B, G, H/G * T, Dh): consecutive query heads form a group.
        NDArray qg = q.reshape(batch, seq, kvHeads, group, headDim).transpose(0, 2, 3, 1, 4)
                .reshape(batch, kvHeads, group * seq, headDim);
        NDArray kg = Attention.split(k, kvHeads); // (B, G, T, Dh)
        NDArray vg = Attention.split(v, kvHeads);
        NDArray scores = Attention.scores(qg, kg); // (B, G, H/G * T, T)
        if (mask != null) {
            scores = scores.reshape(batch, kvHeads, group, seq, seq).add(mask).reshape(batch, kvHeads, group * seq, seq);
        }
        return scores.softmax(-1).matMul(vg)          // (B, G, H/G * T, Dh)
                .reshape(batch, kvHeads, group, seq, headDim)
                .transpose(0, 3, 1, 2, 4);              // (B, T, G, H/G, Dh) = (B, T, H, Dh)
    }
}
