package dev.strata.plugins.norms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/** {@code g * x / sqrt(sum(x^2) + eps)} over the last axis, with one learned scalar g = sqrt(d) at first. */
final class ScaleNormBlock extends SequenceBlock {

    private static final int[] LAST_AXIS = {-1};

    private final float epsilon;
    private final Parameter scale;

    ScaleNormBlock(int dModel, float epsilon) {
        this.epsilon = epsilon;
        this.scale = addParameter(Parameter.builder().setName("scale").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1)).optInitializer(new ConstantInitializer((float) Math.sqrt(dModel))).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = store.getValue(scale, x.getDevice(), training);
        // The (B, T, 1) factor takes the scalar gain before it meets the full-size tensor.
        return new NDList(x.mul(x.square().sum(LAST_AXIS, true).add(epsilon).pow(-0.5f).mul(g)));
    }
}
