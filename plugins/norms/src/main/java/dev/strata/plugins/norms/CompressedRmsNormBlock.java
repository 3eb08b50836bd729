package dev.strata.plugins.norms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * {@code x / sqrt((sum(x^2) + sum(x)^2) / (d + 1) + eps) * gain} over the last axis: the RMS of the
 * zero-mean (d + 1)-vector {@code [x, -sum(x)]} that x losslessly encodes, computed without
 * building it.
 */
final class CompressedRmsNormBlock extends SequenceBlock {

    private static final int[] LAST_AXIS = {-1};

    private final float epsilon;
    private final float inverseWidth;
    private final Parameter gain;

    CompressedRmsNormBlock(int dModel, float epsilon) {
        this.epsilon = epsilon;
        this.inverseWidth = 1f / (dModel + 1);
        this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = store.getValue(gain, x.getDevice(), training);
        NDArray squares = x.square().sum(LAST_AXIS, true);
        NDArray implicit = x.sum(LAST_AXIS, true).square(); // (-sum x)^2, the (d + 1)-th coordinate squared
        NDArray inverseRms = squares.add(implicit).mul(inverseWidth).add(epsilon).pow(-0.5f);
        return new NDList(x.mul(inverseRms).mul(g));
    }
}
