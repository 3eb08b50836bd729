package dev.strata.core.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import dev.strata.core.model.ModelLayerState;
import java.util.List;

/**
 * A few layers of one component, run the way the platform's model runs its layers: the input is
 * recorded as the embedding and each layer's output is recorded before the next layer runs, so
 * components that read other layers (MLKV, DenseFormer, hyper-connections, attention over depth)
 * are checked with the state they get in a real model.
 */
final class ComponentStack extends SequenceBlock {

    private final ModelLayerState state;
    private final List<Block> layers;

    ComponentStack(List<Block> layers, ModelLayerState state) {
        this.state = state;
        for (int i = 0; i < layers.size(); i++) {
            addChildBlock("layer" + i, layers.get(i));
        }
        this.layers = List.copyOf(layers);
    }

    ModelLayerState state() {
        return state;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        state.beginForward(x);
        for (Block layer : layers) {
            x = layer.forward(store, new NDList(x), training, params).singletonOrThrow();
            state.recordLayerOutput(x);
        }
        return new NDList(x);
    }
}
