package dev.strata.plugins.linearattention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * Kernelised linear attention: {@code y_t = phi(q_t)^T S_t / (phi(q_t)^T z_t)} with
 * {@code phi = elu + 1}, {@code S_t = sum_{s<=t} phi(k_s) v_s^T} and {@code z_t = sum_{s<=t} phi(k_s)}
 * (global sums when not causal).
 *
 * <p>Causal training form, chunked: inside a chunk a masked {@code (C, C)} product, across chunks
 * the states {@code phi(K)^T V} of all earlier chunks (a shifted cumulative sum over the chunk axis,
 * no Java loop at all). The normaliser rides along as an extra value column of ones.
 */
final class LinearAttentionBlock extends SequenceBlock {

    static final float EPSILON = 1e-6f;

    private final int dModel;
    private final int heads;
    private final int headDim;
    private final int chunk;
    private final boolean causal;
    private final Linear qkv;
    private final Linear out;

    LinearAttentionBlock(int dModel, int heads, int chunk, boolean causal) {
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = dModel / heads;
        this.chunk = chunk;
        this.causal = causal;
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray projected = qkv.forward(store, inputs, training).singletonOrThrow()
                .reshape(batch, seq, 3, heads, headDim)
                .transpose(2, 0, 3, 1, 4); // (3, B, H, T, Dh)
        NDArray q = Ops.eluPlusOne(projected.get(0));
        NDArray k = Ops.eluPlusOne(projected.get(1));
        NDArray v = projected.get(2);
        NDArray y = causal ? causal(q, k, v, chunk) : global(q, k, v);
        return out.forward(store, new NDList(Ops.mergeHeads(y)), training);
    }

    /** Normalised causal linear attention of feature-mapped q, k (B, H, T, Dk) and v (B, H, T, Dv). */
    static NDArray causal(NDArray q, NDArray k, NDArray v, int chunk) {
        Shape s = v.getShape();
        long seq = s.get(2);
        long valueDim = s.get(3);
        int c = Ops.effectiveChunk(chunk, seq, false);
        long pad = Ops.padding(seq, c);
        // [v, 1]: the last output column is the normaliser phi(q_t)^T z_t.
        NDArray ones = v.getManager().ones(new Shape(s.get(0), s.get(1), seq, 1), v.getDataType(), v.getDevice());
        NDArray qc = Ops.chunks(Ops.padTime(q, pad), c);
        NDArray kc = Ops.chunks(Ops.padTime(k, pad), c); // padded keys are 0: they add nothing
        NDArray vc = Ops.chunks(Ops.padTime(NDArrays.concat(new NDList(v, ones), -1), pad), c);

        NDArray scores = qc.matMul(kc.transpose(0, 1, 2, 4, 3)).mul(Ops.lowerMask(q, c, false));
        NDArray result = scores.matMul(vc); // (B, H, N, C, Dv + 1)
        long chunks = qc.getShape().get(2);
        if (chunks > 1) {
            NDArray states = kc.transpose(0, 1, 2, 4, 3).matMul(vc); // (B, H, N, Dk, Dv + 1)
            // State before chunk n: the sum over chunks < n (shift by one, then cumulative sum).
            Shape st = states.getShape();
            NDArray zeros = states.getManager().zeros(new Shape(st.get(0), st.get(1), 1, st.get(3), st.get(4)),
                    states.getDataType(), states.getDevice());
            NDArray before = NDArrays.concat(new NDList(zeros, states.get(":, :, :-1")), 2).cumSum(2);
            result = result.add(qc.matMul(before));
        }
        NDArray y = Ops.unchunk(result, seq);
        return normalise(y, valueDim);
    }

    /** Non-causal: every position reads the global sums. */
    static NDArray global(NDArray q, NDArray k, NDArray v) {
        Shape s = v.getShape();
        NDArray ones = v.getManager().ones(new Shape(s.get(0), s.get(1), s.get(2), 1), v.getDataType(), v.getDevice());
        NDArray state = k.transpose(0, 1, 3, 2).matMul(NDArrays.concat(new NDList(v, ones), -1)); // (B, H, Dk, Dv + 1)
        return normalise(q.matMul(state), s.get(3));
    }

    private static NDArray normalise(NDArray withNormaliser, long valueDim) {
        NDArray numerator = withNormaliser.get(":, :, :, :" + valueDim);
        NDArray denominator = withNormaliser.get(":, :, :, " + valueDim + ":");
        return numerator.div(denominator.add(EPSILON));
    }
}
