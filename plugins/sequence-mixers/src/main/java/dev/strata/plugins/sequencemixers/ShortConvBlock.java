package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import java.util.Locale;

/**
 * A short depthwise convolution over time with a gate or a projection (Zoology's BaseConv):
 *
 * <pre>
 *   mul:  y = conv(x) * (W x + b)
 *   silu: y = silu(conv(x)) * silu(W x + b)
 *   none: y = W conv(x) + b
 * </pre>
 *
 * where {@code conv} is depthwise with a (K, d) kernel and a bias, zero-padded on the left only
 * (causal) or centred (non-causal).
 */
final class ShortConvBlock extends SequenceBlock {

    /** How the convolution is combined with the linear map. */
    enum Gate {
        MUL, SILU, NONE;

        static Gate of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final Gate gate;
    private final int left;
    private final Parameter convWeight;
    private final Parameter convBias;
    private final Parameter weight;
    private final Parameter bias;

    ShortConvBlock(int dModel, int kernel, Gate gate, boolean causal) {
        this.gate = gate;
        this.left = Seq.leftTaps(kernel, causal);
        this.convWeight = addParameter(Seq.parameter("conv_weight", Parameter.Type.WEIGHT, new Shape(kernel, dModel),
                Seq.fanInUniform(kernel)));
        this.convBias = addParameter(Seq.parameter("conv_bias", Parameter.Type.BIAS, new Shape(dModel),
                Seq.fanInUniform(kernel)));
        this.weight = addParameter(Seq.parameter("proj_weight", Parameter.Type.WEIGHT, new Shape(dModel, dModel),
                Seq.fanInUniform(dModel)));
        this.bias = addParameter(Seq.parameter("proj_bias", Parameter.Type.BIAS, new Shape(dModel),
                Seq.fanInUniform(dModel)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        NDArray w = store.getValue(weight, device, training);
        NDArray b = store.getValue(bias, device, training);
        NDArray conv = Seq.depthwiseConv(x, store.getValue(convWeight, device, training),
                store.getValue(convBias, device, training), left);
        return switch (gate) {
            case MUL -> new NDList(conv.mul(Linear.linear(x, w, b).singletonOrThrow()));
            case SILU -> new NDList(Seq.silu(conv).mul(Seq.silu(Linear.linear(x, w, b).singletonOrThrow())));
            case NONE -> Linear.linear(conv, w, b);
        };
    }
}
