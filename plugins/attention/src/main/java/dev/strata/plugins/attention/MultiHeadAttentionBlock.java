package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * Multi-head self-attention on {@code (batch, seq, d)}.
 *
 * <p>Q, K and V come from one fused {@code d -> 3d} linear (one matmul instead of three; the same
 * parameters as three separate d x d projections). Heads are a reshape and a permute to
 * {@code (3, batch, heads, seq, head_dim)}, scores one batched matmul over all batches and heads.
 */
final class MultiHeadAttentionBlock extends SequenceBlock {

    /**
     * Added to the scores of future positions. Large enough that softmax gives them exactly zero
     * weight, finite so that no inf - inf or 0 * inf turns into NaN; the diagonal is never masked,
     * so every row keeps a finite maximum.
     */
    static final float MASKED = -1e9f;

    private final int dModel;
    private final int heads;
    private final int headDim;
    private final boolean causal;
    private final float scale;
    private final Linear qkv;
    private final Linear out;

    MultiHeadAttentionBlock(int dModel, int heads, boolean causal) {
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = dModel / heads;
        this.causal = causal;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);

        // (B, T, 3D) -> (B, T, 3, H, Dh) -> (3, B, H, T, Dh)
        NDArray projected = qkv.forward(store, inputs, training).singletonOrThrow()
                .reshape(batch, seq, 3, heads, headDim)
                .transpose(2, 0, 3, 1, 4);
        // Scaling q (B*H*T*Dh values) is cheaper than scaling the scores (B*H*T*T).
        NDArray q = projected.get(0).mul(scale);
        NDArray k = projected.get(1);
        NDArray v = projected.get(2);

        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // (B, H, T, T)
        if (causal) {
            scores = scores.add(futureMask(x, seq, scores.getDataType()));
        }
        NDArray attended = scores.softmax(-1).matMul(v) // (B, H, T, Dh)
                .transpose(0, 2, 1, 3)
                .reshape(batch, seq, dModel);
        return out.forward(store, new NDList(attended), training);
    }

    /** (T, T): 0 where column <= row, {@link #MASKED} above the diagonal; broadcasts over B and H. */
    private static NDArray futureMask(NDArray x, long seq, DataType type) {
        NDArray positions = x.getManager().arange(0f, seq, 1f, DataType.FLOAT32, x.getDevice());
        NDArray future = positions.reshape(1, seq).gt(positions.reshape(seq, 1));
        // Built in float32 (where 0 * -1e9 is exactly 0) and cast once: in float16 -1e9 becomes
        // -inf, which is still safe to add to finite scores.
        NDArray mask = future.toType(DataType.FLOAT32, false).mul(MASKED);
        return type == DataType.FLOAT32 ? mask : mask.toType(type, false);
    }
}
