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
 * Multi-scale retention: per head {@code S_t = gamma_h S_{t-1} + k_t^T v_t}, {@code o_t = q_t S_t}
 * with a fixed decay {@code gamma_h = 1 - 2^(-5-h)}, rotary positions on q and k (the paper's
 * Theta), keys scaled by {@code 1/sqrt(head_dim)}; then a group norm per head, a swish gate and
 * the output projection: {@code (swish(x W_G) * GroupNorm(heads)) W_O}.
 *
 * <p>Training form: chunkwise retention. Inside a chunk {@code (Q K^T * D) V} with the decay mask
 * D; across chunks a Java loop carries the state. Everything is linear in the sequence length.
 */
final class RetentionBlock extends SequenceBlock {

    static final float NORM_EPSILON = 1e-5f;

    private final int dModel;
    private final int heads;
    private final int headDim;
    private final int valueDim;
    private final int chunk;
    private final float[] logDecays;
    private final float[] rotaryFrequencies;
    private final Linear proj; // x -> [q, k (d each), v, g (valueDim each)]
    private final Linear out;
    private final Parameter normGain;
    private final Parameter normBias;

    RetentionBlock(int dModel, int heads, int valueDim, int chunk) {
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = dModel / heads;
        this.valueDim = valueDim;
        this.chunk = chunk;
        this.logDecays = logDecays(heads);
        this.rotaryFrequencies = new float[headDim / 2];
        for (int i = 0; i < rotaryFrequencies.length; i++) {
            // As the paper's code: 1 / 10000^linspace(0, 1, head_dim / 2).
            double position = rotaryFrequencies.length == 1 ? 0 : (double) i / (rotaryFrequencies.length - 1);
            rotaryFrequencies[i] = (float) Math.pow(10000, -position);
        }
        this.proj = addChildBlock("proj", Linear.builder().setUnits(2L * dModel + 2L * valueDim).optBias(false).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).optBias(false).build());
        this.normGain = addParameter(Parameter.builder().setName("norm_gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(valueDim)).build());
        this.normBias = addParameter(Parameter.builder().setName("norm_bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(valueDim)).build());
    }

    /** log gamma_h = log(1 - 2^(-5 - h)) for h = 0 .. heads-1 (Retentive Network, Section 3.3). */
    static float[] logDecays(int heads) {
        float[] result = new float[heads];
        for (int h = 0; h < heads; h++) {
            result[h] = (float) Math.log1p(-Math.pow(2, -5 - h));
        }
        return result;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        proj.initialize(manager, dataType, x);
        out.initialize(manager, dataType, new Shape(x.get(0), x.get(1), valueDim));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray p = proj.forward(store, inputs, training).singletonOrThrow();
        long seq = x.getShape().get(1);
        int d = dModel;
        NDArray[] rotary = rotaryTables(x, seq);
        NDArray q = rotate(Ops.splitHeads(p.get(":, :, :" + d), heads), rotary);
        NDArray k = rotate(Ops.splitHeads(p.get(":, :, " + d + ":" + (2 * d)), heads), rotary)
                .mul((float) (1.0 / Math.sqrt(headDim)));
        NDArray v = Ops.splitHeads(p.get(":, :, " + (2 * d) + ":" + (2 * d + valueDim)), heads);
        NDArray gate = p.get(":, :, " + (2 * d + valueDim) + ":");

        NDArray logGamma = x.getManager().create(logDecays).toDevice(x.getDevice(), false).toType(x.getDataType(), false);
        NDArray o = Ops.standardize(chunked(q, k, v, logGamma, chunk), NORM_EPSILON); // group norm: per head
        NDArray gain = store.getValue(normGain, x.getDevice(), training);
        NDArray bias = store.getValue(normBias, x.getDevice(), training);
        NDArray y = Ops.mergeHeads(o).mul(gain).add(bias).mul(Ops.silu(gate));
        return out.forward(store, new NDList(y), training);
    }

    /** cos and sin (T, head_dim) for rotating the two halves of each head. */
    private NDArray[] rotaryTables(NDArray x, long seq) {
        NDArray positions = x.getManager().arange(0f, seq, 1f, DataType.FLOAT32, x.getDevice()).reshape(seq, 1);
        NDArray frequencies = x.getManager().create(rotaryFrequencies).toDevice(x.getDevice(), false).reshape(1, -1);
        NDArray angles = positions.mul(frequencies);
        angles = NDArrays.concat(new NDList(angles, angles), 1).toType(x.getDataType(), false);
        return new NDArray[] {angles.cos(), angles.sin()};
    }

    /** Rotary position rotation of (B, H, T, Dh): pairs (i, i + Dh/2) turn by position * frequency_i. */
    private NDArray rotate(NDArray x, NDArray[] table) {
        if (headDim < 2) {
            return x;
        }
        int half = headDim / 2;
        NDArray first = x.get(":, :, :, :" + half);
        NDArray second = x.get(":, :, :, " + half + ":");
        NDArray rotatedHalf = NDArrays.concat(new NDList(second.neg(), first), -1);
        return x.mul(table[0]).add(rotatedHalf.mul(table[1]));
    }

    /**
     * Retention for q, k (B, H, T, Dk), v (B, H, T, Dv) and per-head log-decays logGamma (H),
     * chunkwise; {@code o_t = q_t S_t}, {@code S_t = gamma S_{t-1} + k_t^T v_t}.
     */
    static NDArray chunked(NDArray q, NDArray k, NDArray v, NDArray logGamma, int chunk) {
        long seq = q.getShape().get(2);
        int c = Ops.effectiveChunk(chunk, seq, false);
        long pad = Ops.padding(seq, c);
        NDArray qc = Ops.chunks(Ops.padTime(q, pad), c);
        NDArray kc = Ops.chunks(Ops.padTime(k, pad), c);
        NDArray vc = Ops.chunks(Ops.padTime(v, pad), c);

        NDArray logG = logGamma.reshape(1, -1, 1, 1, 1); // (1, H, 1, 1, 1)
        NDArray positions = q.getManager().arange(0f, c, 1f, DataType.FLOAT32, q.getDevice()).toType(q.getDataType(), false);
        // D_ts = gamma^(t-s) for s <= t: exponent clamped to <= 0 before exp, masked after.
        NDArray distance = positions.reshape(c, 1).sub(positions.reshape(1, c)).reshape(1, 1, 1, c, c);
        NDArray decayMask = distance.mul(logG).minimum(0f).exp().mul(Ops.lowerMask(q, c, false));
        NDArray result = qc.matMul(kc.transpose(0, 1, 2, 4, 3)).mul(decayMask).matMul(vc);

        long chunks = qc.getShape().get(2);
        if (chunks > 1) {
            NDArray column = positions.reshape(1, 1, 1, c, 1);
            NDArray queryDecay = column.add(1f).mul(logG).exp(); // gamma^(t+1)
            NDArray keyDecay = column.neg().add(c - 1f).mul(logG).exp(); // gamma^(C-1-s)
            NDArray updates = kc.mul(keyDecay).transpose(0, 1, 2, 4, 3).matMul(vc); // (B, H, N, Dk, Dv)
            NDArray chunkDecay = logG.mul((float) c).exp(); // gamma^C
            NDList updateList = updates.split(chunks, 2);
            NDList starts = new NDList((int) chunks);
            NDArray state = updates.getManager().zeros(updateList.get(0).getShape(), updates.getDataType(), updates.getDevice());
            for (int n = 0; n < chunks; n++) { // a loop over chunks, not tokens
                starts.add(state);
                if (n + 1 < chunks) {
                    state = state.mul(chunkDecay).add(updateList.get(n));
                }
            }
            result = result.add(qc.mul(queryDecay).matMul(NDArrays.concat(starts, 2)));
        }
        return Ops.unchunk(result, seq);
    }
}
