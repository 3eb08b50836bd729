package dev.strata.plugins.norms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/** {@code x / sqrt(mean(x^2) + eps) * gain} over the last axis of {@code (batch, seq, d)}. */
final class RmsNormBlock extends SequenceBlock {

    private static final int[] LAST_AXIS = {-1};

    private final float epsilon;
    private final Parameter gain;

    RmsNormBlock(int dModel, float epsilon) {
        this.epsilon = epsilon;
        this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = store.getValue(gain, x.getDevice(), training);
        // pow(-0.5) is rsqrt in one op; DJL has no rsqrt of its own.
        NDArray inverseRms = x.square().mean(LAST_AXIS, true).add(epsilon).pow(-0.5f);
        return new NDList(x.mul(inverseRms).mul(g));
    }
}
