package dev.strata.plugins.norms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * LayerNorm over the last axis of {@code (batch, seq, d)}. Uses DJL's static {@code layerNorm},
 * which the PyTorch engine maps to the fused {@code torch.layer_norm} kernel (one op instead of
 * mean, variance, subtract, divide, scale and shift).
 */
final class LayerNormBlock extends SequenceBlock {

    private final Shape normalizedShape;
    private final float epsilon;
    private final Parameter gain;
    private final Parameter bias;

    LayerNormBlock(int dModel, float epsilon) {
        this.normalizedShape = new Shape(dModel);
        this.epsilon = epsilon;
        // GAMMA initialises to ones and BETA to zeros, so a fresh norm is a plain standardisation.
        this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                .optShape(normalizedShape).build());
        this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(normalizedShape).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = store.getValue(gain, x.getDevice(), training);
        NDArray b = store.getValue(bias, x.getDevice(), training);
        return LayerNorm.layerNorm(x, normalizedShape, g, b, epsilon);
    }
}
