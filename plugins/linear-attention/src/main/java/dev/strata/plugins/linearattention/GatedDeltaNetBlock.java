package dev.strata.plugins.linearattention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * Gated DeltaNet: the gated delta rule
 * {@code S_t = S_{t-1} alpha_t (I - beta_t k_t k_t^T) + beta_t v_t k_t^T}, {@code o_t = S_t q_t},
 * with a data-dependent scalar decay per head as in Mamba2,
 * {@code log alpha_t = -exp(A_log) softplus(x_t W_a + dt_bias)}, {@code beta = sigmoid(x W_beta)},
 * {@code q, k = l2norm(silu(x W))}, {@code v = silu(x W_v)}; then a per-head RMS norm, a swish
 * output gate and the output projection. Training form: {@link DeltaNetBlock#chunked} with decays.
 */
final class GatedDeltaNetBlock extends SequenceBlock {

    static final float NORM_EPSILON = 1e-5f;

    /** A_log = log(A), A ~ U(1, 16) per head, as the paper's code. */
    static final Initializer A_LOG = (manager, shape, type) -> manager.randomUniform(1f, 16f, shape, type).log();

    /** dt_bias = softplus^-1(dt), dt log-uniform in [1e-3, 0.1], as the paper's code (Mamba2). */
    static final Initializer DT_BIAS = (manager, shape, type) -> {
        NDArray dt = manager.randomUniform((float) Math.log(1e-3), (float) Math.log(1e-1), shape, type).exp().maximum(1e-4f);
        return dt.add(dt.neg().exp().neg().add(1f).log()); // dt + log(1 - exp(-dt))
    };

    private final int dModel;
    private final int heads;
    private final int chunk;
    private final Linear proj; // x -> [q, k, v, output gate (d each), decay logits (heads), beta logits (heads)]
    private final Linear out;
    private final Parameter aLog;
    private final Parameter dtBias;
    private final Parameter normGain;

    GatedDeltaNetBlock(int dModel, int heads, int chunk) {
        this.dModel = dModel;
        this.heads = heads;
        this.chunk = chunk;
        this.proj = addChildBlock("proj", Linear.builder().setUnits(4L * dModel + 2L * heads).optBias(false).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).optBias(false).build());
        this.aLog = addParameter(Parameter.builder().setName("a_log").setType(Parameter.Type.OTHER)
                .optShape(new Shape(heads)).optInitializer(A_LOG).build());
        this.dtBias = addParameter(Parameter.builder().setName("dt_bias").setType(Parameter.Type.OTHER)
                .optShape(new Shape(heads)).optInitializer(DT_BIAS).build());
        this.normGain = addParameter(Parameter.builder().setName("norm_gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel / heads)).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        proj.initialize(manager, dataType, inputShapes[0]);
        out.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray p = proj.forward(store, inputs, training).singletonOrThrow();
        int d = dModel;
        NDArray qkv = Ops.silu(p.get(":, :, :" + (3 * d)));
        NDArray q = Ops.l2Normalize(Ops.splitHeads(qkv.get(":, :, :" + d), heads));
        NDArray k = Ops.l2Normalize(Ops.splitHeads(qkv.get(":, :, " + d + ":" + (2 * d)), heads));
        NDArray v = Ops.splitHeads(qkv.get(":, :, " + (2 * d) + ":"), heads);
        NDArray gate = p.get(":, :, " + (3 * d) + ":" + (4 * d));
        NDArray decayLogits = p.get(":, :, " + (4 * d) + ":" + (4 * d + heads)); // (B, T, H)
        NDArray betaLogits = p.get(":, :, " + (4 * d + heads) + ":");

        NDArray a = store.getValue(aLog, x.getDevice(), training).exp();
        NDArray bias = store.getValue(dtBias, x.getDevice(), training);
        NDArray logAlpha = Activation.softPlus(decayLogits.add(bias)).mul(a).neg().transpose(0, 2, 1).expandDims(3);
        NDArray beta = Activation.sigmoid(betaLogits).transpose(0, 2, 1).expandDims(3); // (B, H, T, 1)

        NDArray o = DeltaNetBlock.chunked(q, k, v, beta, logAlpha, chunk);
        NDArray gain = store.getValue(normGain, x.getDevice(), training);
        NDArray y = Ops.mergeHeads(Ops.rmsNorm(o, gain, NORM_EPSILON)).mul(Ops.silu(gate));
        return out.forward(store, new NDList(y), training);
    }
}
