package dev.strata.plugins.mixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import java.util.Locale;

/**
 * {@code down(act(up(x)))} on {@code (batch, seq, d)}. DJL's Linear applies over the last axis of
 * an input of any rank (one fused {@code torch.linear}), so no reshape to 2-D is needed.
 */
final class MlpBlock extends SequenceBlock {

    /** The pointwise nonlinearity between the two linears. */
    enum Activation {
        GELU,
        /** ReLU squared: Primer found it as good as GELU or better for language models, and cheaper. */
        RELU2;

        static Activation of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }

        NDArray apply(NDArray x) {
            return switch (this) {
                case GELU -> ai.djl.nn.Activation.gelu(x);
                case RELU2 -> ai.djl.nn.Activation.relu(x).square();
            };
        }
    }

    private final Linear up;
    private final Linear down;
    private final Activation activation;

    MlpBlock(int dModel, int hidden, Activation activation) {
        this.up = addChildBlock("up", Linear.builder().setUnits(hidden).build());
        this.down = addChildBlock("down", Linear.builder().setUnits(dModel).build());
        this.activation = activation;
    }

    /** The second linear sees the hidden width, not the block's input shape. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        up.initialize(manager, dataType, inputShapes[0]);
        down.initialize(manager, dataType, up.getOutputShapes(new Shape[] {inputShapes[0]})[0]);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray h = up.forward(store, inputs, training).singletonOrThrow();
        return down.forward(store, new NDList(activation.apply(h)), training);
    }
}
