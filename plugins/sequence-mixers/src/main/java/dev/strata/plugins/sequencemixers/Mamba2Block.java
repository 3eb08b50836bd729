package dev.strata.plugins.sequencemixers;

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
 * The Mamba-2 block (Dao and Gu, 2024) on (B, T, d), E = expand * d inner channels in H = E / P
 * heads, one group of B and C:
 *
 * <pre>
 *   z, xBC, dt = in_proj(u)                   d -> 2E + 2N + H, no bias
 *   x, B, C    = silu(causal depthwise conv(xBC))
 *   dt         = softplus(dt + dt_bias)       per head; dt_bias = softplus^-1(U_log[1e-3, 0.1])
 *   y          = SSD(x, dt, A = -exp(A_log), B, C) + D * x     A_log = log U[1, 16], D = 1, per head
 *   out        = out_proj(rmsnorm(y * silu(z)) * w)            E -> d, no bias
 * </pre>
 *
 * A_log, D, dt_bias and w are 1-D, so the trainer does not weight-decay them (as the reference).
 */
final class Mamba2Block extends SequenceBlock {

    private static final float EPSILON = 1e-5f;

    private final int inner;
    private final int states;
    private final int heads;
    private final int chunk;
    private final Parameter inProj;
    private final Parameter convWeight;
    private final Parameter convBias;
    private final Parameter dtBias;
    private final Parameter aLog;
    private final Parameter skip;
    private final Parameter normWeight;
    private final Parameter outProj;

    Mamba2Block(int dModel, int inner, int states, int heads, int kernel, int chunk) {
        this.inner = inner;
        this.states = states;
        this.heads = heads;
        this.chunk = chunk;
        long convChannels = inner + 2L * states;
        this.inProj = addParameter(Seq.parameter("in_proj", Parameter.Type.WEIGHT,
                new Shape(2L * inner + 2L * states + heads, dModel), Seq.fanInUniform(dModel)));
        this.convWeight = addParameter(Seq.parameter("conv_weight", Parameter.Type.WEIGHT, new Shape(kernel, convChannels),
                Seq.fanInUniform(kernel)));
        this.convBias = addParameter(Seq.parameter("conv_bias", Parameter.Type.BIAS, new Shape(convChannels),
                Seq.fanInUniform(kernel)));
        this.dtBias = addParameter(Seq.parameter("dt_bias", Parameter.Type.BIAS, new Shape(heads),
                MambaBlock::inverseSoftplusOfLogUniformDt));
        this.aLog = addParameter(Seq.parameter("a_log", Parameter.Type.OTHER, new Shape(heads),
                (NDManager manager, Shape shape, DataType type) -> manager.randomUniform(1f, 16f, shape, type).log()));
        this.skip = addParameter(Seq.parameter("d", Parameter.Type.OTHER, new Shape(heads), Initializer.ONES));
        this.normWeight = addParameter(Seq.parameter("norm_weight", Parameter.Type.GAMMA, new Shape(inner), Initializer.ONES));
        this.outProj = addParameter(Seq.parameter("out_proj", Parameter.Type.WEIGHT, new Shape(dModel, inner),
                Seq.fanInUniform(inner)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray u = inputs.singletonOrThrow();
        var device = u.getDevice();
        long batch = u.getShape().get(0);
        long seq = u.getShape().get(1);
        NDList parts = Linear.linear(u, store.getValue(inProj, device, training)).singletonOrThrow()
                .split(new long[] {inner, 2L * inner + 2L * states}, 2);
        NDArray xbc = Seq.silu(Seq.depthwiseConv(parts.get(1), store.getValue(convWeight, device, training),
                store.getValue(convBias, device, training), (int) convWeight.getShape().get(0) - 1));
        NDList xBC = xbc.split(new long[] {inner, inner + states}, 2);
        NDArray x = xBC.get(0);
        NDArray dt = Activation.softPlus(parts.get(2).add(store.getValue(dtBias, device, training)));
        NDArray a = store.getValue(aLog, device, training).exp().neg();
        NDArray y = StateSpaceDuality.chunked(x, dt, a, xBC.get(1), xBC.get(2), chunk);
        NDArray d = store.getValue(skip, device, training);
        y = y.add(x.reshape(batch, seq, heads, inner / heads).mul(d.reshape(heads, 1)).reshape(batch, seq, inner));
        NDArray gated = y.mul(Seq.silu(parts.get(0)));
        NDArray normed = gated.mul(gated.square().mean(new int[] {-1}, true).add(EPSILON).pow(-0.5f))
                .mul(store.getValue(normWeight, device, training));
        return Linear.linear(normed, store.getValue(outProj, device, training));
    }
}
