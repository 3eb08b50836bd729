package dev.strata.plugins.norms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * A point-wise squashing function in place of a norm: {@code gamma * f(alpha * x + shift) + beta}
 * with scalar alpha (and, for Derf, a scalar shift) and per-feature gamma (ones) and beta (zeros).
 * f is tanh for DyT and erf for Derf; both are bounded, so any input scale gives a finite output.
 */
final class SquashBlock extends SequenceBlock {

    /** The squashing function. */
    enum Squash { TANH, ERF }

    private final Squash squash;
    private final Parameter alpha;
    private final Parameter shift;
    private final Parameter gain;
    private final Parameter bias;

    SquashBlock(int dModel, float alphaInit, Squash squash) {
        this.squash = squash;
        this.alpha = addParameter(Parameter.builder().setName("alpha").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1)).optInitializer(new ConstantInitializer(alphaInit)).build());
        this.shift = squash == Squash.ERF
                ? addParameter(Parameter.builder().setName("shift").setType(Parameter.Type.BIAS).optShape(new Shape(1)).build())
                : null;
        this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel)).build());
        this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(dModel)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray a = store.getValue(alpha, x.getDevice(), training);
        NDArray g = store.getValue(gain, x.getDevice(), training);
        NDArray b = store.getValue(bias, x.getDevice(), training);
        NDArray squashed = switch (squash) {
            case TANH -> x.mul(a).tanh();
            case ERF -> x.mul(a).add(store.getValue(shift, x.getDevice(), training)).erf();
        };
        return new NDList(squashed.mul(g).add(b));
    }
}
