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
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * The Mamba block (Gu and Dao, 2023) on (B, T, d), with E = expand * d inner channels:
 *
 * <pre>
 *   x, z  = in_proj(u)                        d -> 2E, no bias
 *   x     = silu(causal depthwise conv(x))    kernel K, bias
 *   dt, B, C = x_proj(x)                      E -> R + 2N, no bias (R = ceil(d / 16))
 *   delta = softplus(dt_proj(dt))             R -> E, bias initialised to softplus^-1(U_log[1e-3, 0.1])
 *   y     = S6(x, delta, A = -exp(A_log), B, C) + D * x
 *   out   = out_proj(y * silu(z))             E -> d, no bias
 * </pre>
 *
 * <p>A_log starts at log(1..N) in every channel (S4D-real) and D at 1, as in the paper. A_log and D
 * are stored flat (1-D) so that the trainer's weight decay, which it gives to parameters of two or
 * more dimensions, leaves them alone, as the reference implementation does.
 */
final class MambaBlock extends SequenceBlock {

    private static final float DT_MIN = 1e-3f;
    private static final float DT_MAX = 0.1f;
    private static final float DT_FLOOR = 1e-4f;

    private final int inner;
    private final int states;
    private final int rank;
    private final int chunk;
    private final Parameter inProj;
    private final Parameter convWeight;
    private final Parameter convBias;
    private final Parameter xProj;
    private final Parameter dtWeight;
    private final Parameter dtBias;
    private final Parameter aLog;
    private final Parameter skip;
    private final Parameter outProj;

    MambaBlock(int dModel, int inner, int states, int kernel, int rank, int chunk) {
        this.inner = inner;
        this.states = states;
        this.rank = rank;
        this.chunk = chunk;
        this.inProj = addParameter(Seq.parameter("in_proj", Parameter.Type.WEIGHT, new Shape(2L * inner, dModel),
                Seq.fanInUniform(dModel)));
        this.convWeight = addParameter(Seq.parameter("conv_weight", Parameter.Type.WEIGHT, new Shape(kernel, inner),
                Seq.fanInUniform(kernel)));
        this.convBias = addParameter(Seq.parameter("conv_bias", Parameter.Type.BIAS, new Shape(inner),
                Seq.fanInUniform(kernel)));
        this.xProj = addParameter(Seq.parameter("x_proj", Parameter.Type.WEIGHT, new Shape(rank + 2L * states, inner),
                Seq.fanInUniform(inner)));
        this.dtWeight = addParameter(Seq.parameter("dt_proj_weight", Parameter.Type.WEIGHT, new Shape(inner, rank),
                new UniformInitializer((float) (1.0 / Math.sqrt(rank)))));
        this.dtBias = addParameter(Seq.parameter("dt_proj_bias", Parameter.Type.BIAS, new Shape(inner),
                MambaBlock::inverseSoftplusOfLogUniformDt));
        this.aLog = addParameter(Seq.parameter("a_log", Parameter.Type.OTHER, new Shape((long) inner * states),
                (manager, shape, type) -> manager.arange(1, states + 1, 1, type).log()
                        .reshape(1, states).repeat(0, inner).reshape(shape)));
        this.skip = addParameter(Seq.parameter("d", Parameter.Type.OTHER, new Shape(inner), Initializer.ONES));
        this.outProj = addParameter(Seq.parameter("out_proj", Parameter.Type.WEIGHT, new Shape(dModel, inner),
                Seq.fanInUniform(inner)));
    }

    /** dt ~ exp(U[log 1e-3, log 0.1]), floored at 1e-4, and the bias is softplus^-1(dt) = dt + log(-expm1(-dt)). */
    static NDArray inverseSoftplusOfLogUniformDt(NDManager manager, Shape shape, DataType type) {
        NDArray dt = manager.randomUniform((float) Math.log(DT_MIN), (float) Math.log(DT_MAX), shape, type).exp()
                .maximum(DT_FLOOR);
        return dt.add(dt.neg().exp().neg().add(1f).log()); // log(1 - exp(-dt)) = log(-expm1(-dt))
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray u = inputs.singletonOrThrow();
        var device = u.getDevice();
        NDList xz = Linear.linear(u, store.getValue(inProj, device, training)).singletonOrThrow().split(new long[] {inner}, 2);
        NDArray conv = Seq.depthwiseConv(xz.get(0), store.getValue(convWeight, device, training),
                store.getValue(convBias, device, training), (int) convWeight.getShape().get(0) - 1);
        NDArray x = Seq.silu(conv);
        NDList dbc = Linear.linear(x, store.getValue(xProj, device, training)).singletonOrThrow()
                .split(new long[] {rank, rank + states}, 2);
        NDArray delta = Activation.softPlus(Linear.linear(dbc.get(0), store.getValue(dtWeight, device, training),
                store.getValue(dtBias, device, training)).singletonOrThrow());
        NDArray a = store.getValue(aLog, device, training).exp().neg().reshape(inner, states);
        NDArray y = SelectiveScan.chunked(x, delta, a, dbc.get(1), dbc.get(2), chunk)
                .add(x.mul(store.getValue(skip, device, training)));
        NDArray gated = y.mul(Seq.silu(xz.get(1)));
        return Linear.linear(gated, store.getValue(outProj, device, training));
    }
}
