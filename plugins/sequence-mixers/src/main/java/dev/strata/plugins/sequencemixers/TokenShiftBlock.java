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
 * RWKV's token shift on (B, T, d): {@code lerp(mu) = mu * x_t + (1 - mu) * x_{t-1}} per channel
 * ({@code x_{-1} = 0}), then
 *
 * <pre>
 *   none:       y = W lerp(mu)
 *   receptance: y = W_o (sigmoid(W_r lerp(mu_r)) * W_v lerp(mu_v))      (RWKV time-mix's gate)
 * </pre>
 *
 * <p>The mixing weights start as in RWKV-4: for channel i of d at layer l of L,
 * {@code mu = (i/d)^(1 - l/L)}, {@code mu_v = (i/d)^(1 - l/L) + 0.3 l/(L-1)} and
 * {@code mu_r = (i/d)^(0.5 (1 - l/L))}. Linear maps have no bias, as in RWKV.
 */
final class TokenShiftBlock extends SequenceBlock {

    private final boolean gated;
    private final Parameter mix;
    private final Parameter value;
    private final Parameter receptanceMix;
    private final Parameter receptance;
    private final Parameter output;

    TokenShiftBlock(int dModel, boolean gated, int layer, int depth) {
        this.gated = gated;
        double ratio1ToAlmost0 = 1.0 - (double) layer / depth;
        double ratio0To1 = depth > 1 ? (double) layer / (depth - 1) : 0.0;
        Shape channels = new Shape(dModel);
        Shape square = new Shape(dModel, dModel);
        this.mix = addParameter(Seq.parameter("mix", Parameter.Type.OTHER, channels,
                channelPower(ratio1ToAlmost0, gated ? 0.3 * ratio0To1 : 0.0)));
        this.value = addParameter(Seq.parameter("value", Parameter.Type.WEIGHT, square, Seq.fanInUniform(dModel)));
        if (gated) {
            this.receptanceMix = addParameter(Seq.parameter("receptance_mix", Parameter.Type.OTHER, channels,
                    channelPower(0.5 * ratio1ToAlmost0, 0.0)));
            this.receptance = addParameter(Seq.parameter("receptance", Parameter.Type.WEIGHT, square,
                    Seq.fanInUniform(dModel)));
            this.output = addParameter(Seq.parameter("output", Parameter.Type.WEIGHT, square, Seq.fanInUniform(dModel)));
        } else {
            this.receptanceMix = null;
            this.receptance = null;
            this.output = null;
        }
    }

    /** {@code (i / d)^power + offset} for channel i of d. */
    private static Initializer channelPower(double power, double offset) {
        return (NDManager manager, Shape shape, DataType type) -> manager.arange(0f, shape.get(0), 1f, type)
                .div(shape.get(0)).pow(power).add(offset);
    }

    /** {@code x_{t-1}}, zero at t = 0. */
    static NDArray previous(NDArray x) {
        long seq = x.getShape().get(1);
        return Seq.padTime(Seq.steps(x, 0, seq - 1), 1, 0);
    }

    private static NDArray lerp(NDArray x, NDArray shifted, NDArray mu) {
        return shifted.add(x.sub(shifted).mul(mu)); // mu x + (1 - mu) shifted
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        NDArray shifted = previous(x);
        NDArray v = Linear.linear(lerp(x, shifted, store.getValue(mix, device, training)),
                store.getValue(value, device, training)).singletonOrThrow();
        if (!gated) {
            return new NDList(v);
        }
        NDArray r = Activation.sigmoid(Linear.linear(lerp(x, shifted, store.getValue(receptanceMix, device, training)),
                store.getValue(receptance, device, training)).singletonOrThrow());
        return Linear.linear(r.mul(v), store.getValue(output, device, training));
    }
}
