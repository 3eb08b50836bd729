package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.SequenceBlock;
import dev.strata.api.SequenceComponent;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made stack of layers run as the platform's model runs them (embedding recorded, each
 * layer's output recorded before the next runs), with the declared parameter counts of its layers.
 */
final class Stack extends SequenceBlock {

    /** One layer: a component and its (complete) parameters. */
    record Layer(SequenceComponent component, Params params) {}

    final MapLayerState state;
    final List<Block> layers;
    final long declared;

    private Stack(MapLayerState state, List<Block> layers, long declared) {
        this.state = state;
        this.layers = List.copyOf(layers);
        this.declared = declared;
        for (int i = 0; i < layers.size(); i++) {
            addChildBlock("layer" + i, layers.get(i));
        }
    }

    /** Builds the layers in order with one shared state (declared counts taken right after each build). */
    static Stack build(int dModel, int maxLength, boolean causal, List<Layer> spec) {
        MapLayerState state = new MapLayerState();
        BuildContext base = new BuildContext(dModel, maxLength, causal, 0, spec.size(), state);
        List<Block> blocks = new ArrayList<>();
        long declared = 0;
        for (int i = 0; i < spec.size(); i++) {
            BuildContext ctx = base.forLayer(i);
            blocks.add(spec.get(i).component().build(ctx, spec.get(i).params()));
            declared += spec.get(i).component().parameterCount(ctx, spec.get(i).params());
        }
        return new Stack(state, blocks, declared);
    }

    /** {@code depth} layers of one component. */
    static Stack repeat(SequenceComponent component, Params params, int depth, int dModel, int maxLength, boolean causal) {
        List<Layer> spec = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            spec.add(new Layer(component, params));
        }
        return build(dModel, maxLength, causal, spec);
    }

    Stack initialized(NDManager manager, Shape input) {
        initialize(manager, DataType.FLOAT32, input);
        return this;
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
