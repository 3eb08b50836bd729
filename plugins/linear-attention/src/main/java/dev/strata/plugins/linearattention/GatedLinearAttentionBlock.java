package dev.strata.plugins.linearattention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * Gated linear attention: {@code S_t = diag(alpha_t) S_{t-1} + k_t v_t^T}, {@code o_t = S_t^T q_t},
 * with a data-dependent forget gate per key dimension
 * {@code alpha_t = sigmoid(x_t W_1 W_2 + b)^(1/tau)}, tau = 16 (so {@code log alpha = logsigmoid / 16}),
 * then a per-head RMS norm, a swish output gate and the output projection.
 *
 * <p>Training form, chunked: inside a chunk the decays come from chunk-relative cumulative
 * log-gates, factored through sub-chunk boundaries so that every exponent is <= 0
 * ({@link #intraChunkScores}); across chunks a Java loop over chunks carries the state.
 */
final class GatedLinearAttentionBlock extends SequenceBlock {

    /** tau: log alpha = logsigmoid(.) / tau keeps the forget gates close to 1 at initialisation. */
    static final float GATE_TEMPERATURE = 16f;
    static final float NORM_EPSILON = 1e-5f;
    /** Sub-chunk of the secondary chunking inside a chunk; chunks are multiples of it. */
    static final int SUB_CHUNK = 8;

    private final int dModel;
    private final int heads;
    private final int keyDim;
    private final int gateRank;
    private final int chunk;
    private final float queryScale;
    private final Linear proj;   // x -> [q (Dk), k (Dk), v (D), g (D), gate low-rank (r)]
    private final Linear gateUp; // r -> Dk, with bias
    private final Linear out;
    private final Parameter normGain;

    GatedLinearAttentionBlock(int dModel, int heads, int keyDim, int gateRank, int chunk) {
        this.dModel = dModel;
        this.heads = heads;
        this.keyDim = keyDim;
        this.gateRank = gateRank;
        this.chunk = chunk;
        this.queryScale = (float) (1.0 / Math.sqrt(keyDim / heads));
        this.proj = addChildBlock("proj", Linear.builder().setUnits(2L * keyDim + 2L * dModel + gateRank).optBias(false).build());
        this.gateUp = addChildBlock("gate_up", Linear.builder().setUnits(keyDim).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).optBias(false).build());
        this.normGain = addParameter(Parameter.builder().setName("norm_gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel / heads)).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        proj.initialize(manager, dataType, x);
        gateUp.initialize(manager, dataType, new Shape(x.get(0), x.get(1), gateRank));
        out.initialize(manager, dataType, x);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray p = proj.forward(store, inputs, training).singletonOrThrow();
        int k0 = keyDim;
        int v0 = 2 * keyDim;
        int g0 = v0 + dModel;
        int r0 = g0 + dModel;
        NDArray q = Ops.splitHeads(p.get(":, :, :" + k0), heads).mul(queryScale);
        NDArray k = Ops.splitHeads(p.get(":, :, " + k0 + ":" + v0), heads);
        NDArray v = Ops.splitHeads(p.get(":, :, " + v0 + ":" + g0), heads);
        NDArray gate = p.get(":, :, " + g0 + ":" + r0);
        NDArray lowRank = p.get(":, :, " + r0 + ":");
        NDArray gateLogits = gateUp.forward(store, new NDList(lowRank), training).singletonOrThrow();
        NDArray logAlpha = Ops.splitHeads(Ops.logSigmoid(gateLogits).div(GATE_TEMPERATURE), heads);

        NDArray o = chunked(q, k, v, logAlpha, chunk); // (B, H, T, Dv)
        NDArray gain = store.getValue(normGain, x.getDevice(), training);
        NDArray y = Ops.mergeHeads(Ops.rmsNorm(o, gain, NORM_EPSILON)).mul(Ops.silu(gate));
        return out.forward(store, new NDList(y), training);
    }

    /**
     * The gated recurrence for q, k, logAlpha (B, H, T, Dk) and v (B, H, T, Dv), chunked;
     * {@code o_t = q_t^T S_t}. {@code chunk} must be a multiple of {@link #SUB_CHUNK}.
     */
    static NDArray chunked(NDArray q, NDArray k, NDArray v, NDArray logAlpha, int chunk) {
        return chunked(q, k, v, logAlpha, chunk, SUB_CHUNK);
    }

    static NDArray chunked(NDArray q, NDArray k, NDArray v, NDArray logAlpha, int chunk, int subChunk) {
        long seq = q.getShape().get(2);
        int c = (int) Math.min(chunk, (seq + subChunk - 1) / subChunk * subChunk);
        long pad = Ops.padding(seq, c);
        NDArray qc = Ops.chunks(Ops.padTime(q, pad), c);
        NDArray kc = Ops.chunks(Ops.padTime(k, pad), c);
        NDArray vc = Ops.chunks(Ops.padTime(v, pad), c);
        NDArray gc = Ops.chunks(Ops.padTime(logAlpha, pad), c); // padded steps: alpha = 1, k = 0
        // Chunk-relative cumulative log-decay b_t = sum of log alpha over the chunk up to t (<= 0).
        NDArray b = gc.cumSum(3); // (B, H, N, C, Dk)

        NDArray result = intraChunkScores(qc, kc, gc, b, subChunk).matMul(vc);

        long chunks = qc.getShape().get(2);
        if (chunks > 1) {
            NDArray last = b.get(":, :, :, -1:"); // (B, H, N, 1, Dk): log-decay of the whole chunk
            // Contribution of each chunk to the state at its end, and the chunk's decay of the state.
            NDArray updates = kc.mul(Ops.decay(last.sub(b))).transpose(0, 1, 2, 4, 3).matMul(vc); // (B, H, N, Dk, Dv)
            NDArray chunkDecay = Ops.decay(last).transpose(0, 1, 2, 4, 3); // (B, H, N, Dk, 1)
            NDList updateList = updates.split(chunks, 2);
            NDList decayList = chunkDecay.split(chunks, 2);
            NDList starts = new NDList((int) chunks);
            NDArray state = updates.getManager().zeros(updateList.get(0).getShape(), updates.getDataType(), updates.getDevice());
            for (int n = 0; n < chunks; n++) { // a loop over chunks, not tokens
                starts.add(state);
                if (n + 1 < chunks) {
                    state = state.mul(decayList.get(n)).add(updateList.get(n));
                }
            }
            NDArray before = NDArrays.concat(starts, 2); // state at the start of each chunk
            result = result.add(qc.mul(Ops.decay(b)).matMul(before));
        }
        return Ops.unchunk(result, seq);
    }

    /**
     * Causal scores inside each chunk, {@code A_ts = sum_d q_td k_sd exp(b_td - b_sd)} for s <= t,
     * (B, H, N, C, C), by the paper's secondary chunking into sub-chunks of {@link #SUB_CHUNK}:
     * between sub-chunks i > j, {@code exp(b_t - b_s)} factors into
     * {@code exp(b_t - f_i) exp(f_i - e_j) exp(e_j - b_s)} (f_i: b at the first step of sub-chunk i,
     * e_j: at the last step of j), every exponent <= 0, and a batched matmul does the sum over d;
     * inside a sub-chunk the decays are formed pair by pair from sums of log alpha, again <= 0. No
     * exp can overflow, however strong the gates.
     */
    static NDArray intraChunkScores(NDArray qc, NDArray kc, NDArray gc, NDArray b, int subChunk) {
        Shape s = qc.getShape();
        long batch = s.get(0);
        long heads = s.get(1);
        long chunks = s.get(2);
        int c = (int) s.get(3);
        long keyDim = s.get(4);
        int sub = Math.min(subChunk, c);
        int subs = c / sub;
        Shape blocks = new Shape(batch, heads, chunks, subs, sub, keyDim);
        NDArray qs = qc.reshape(blocks);
        NDArray ks = kc.reshape(blocks);
        NDArray gs = gc.reshape(blocks);

        // Diagonal sub-blocks: log-decay from s to t = sum of log alpha over (s, t] (zero when s >= t,
        // those pairs are masked), one matmul with a constant 0/1 matrix.
        NDArray pairDecay = Ops.decay(pairSums(qc, sub).matMul(gs).reshape(batch, heads, chunks, subs, sub, sub, keyDim));
        NDArray diagonal = qs.expandDims(5).mul(ks.expandDims(4)).mul(pairDecay).sum(new int[] {-1})
                .mul(Ops.lowerMask(qc, sub, false)); // (B, H, N, S, c, c)
        if (subs == 1) {
            return diagonal.reshape(batch, heads, chunks, c, c);
        }
        NDArray bs = b.reshape(blocks);
        NDArray first = bs.get(":, :, :, :, :1"); // (B, H, N, S, 1, Dk)
        NDArray lastOf = bs.get(":, :, :, :, -1:");
        NDArray queries = qs.mul(Ops.decay(bs.sub(first))); // exp(b_t - f_i)
        NDArray keys = ks.mul(Ops.decay(lastOf.sub(bs))); // exp(e_j - b_s)
        // exp(f_i - e_j) for j < i, (B, H, N, S_i, S_j, 1, Dk); clamped and masked elsewhere.
        NDArray between = Ops.decay(first.expandDims(4).sub(lastOf.expandDims(3)))
                .mul(Ops.lowerMask(qc, subs, true).reshape(subs, subs, 1, 1));
        NDArray offDiagonal = queries.expandDims(4).mul(between)
                .matMul(keys.transpose(0, 1, 2, 3, 5, 4).expandDims(3)); // (B, H, N, S_i, S_j, c, c)
        NDArray all = offDiagonal.add(diagonal.expandDims(4).mul(Ops.identity(qc, subs).reshape(subs, subs, 1, 1)));
        return all.transpose(0, 1, 2, 3, 5, 4, 6).reshape(batch, heads, chunks, c, c);
    }

    /** (c*c, c) 0/1 matrix: row (t, s) has ones at r with s < r <= t. */
    private static NDArray pairSums(NDArray like, int size) {
        NDArray r = like.getManager().arange(0f, size, 1f, DataType.FLOAT32, like.getDevice()).reshape(1, 1, size);
        NDArray t = r.reshape(size, 1, 1);
        NDArray s = r.reshape(1, size, 1);
        return r.gt(s).logicalAnd(r.lte(t)).toType(like.getDataType(), false).reshape(size * size, size);
    }
}
