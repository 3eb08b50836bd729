package dev.strata.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.strata.api.BuildContext;
import dev.strata.api.LayerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Helpers for component block tests, shared by every plugin module's tests: a build context with
 * a map-backed {@link LayerState}, a forward pass, a parameter count, gradients.
 */
public final class BlockTesting {

    public static final Shape INPUT = new Shape(2, 8, 16);

    private BlockTesting() {}

    public static BuildContext context(int dModel, boolean causal) {
        return new BuildContext(dModel, 8, causal, 0, 1, new MapLayerState());
    }

    public static Block initialized(Block block, NDManager manager, Shape input) {
        block.initialize(manager, DataType.FLOAT32, input);
        return block;
    }

    public static NDArray forward(Block block, NDManager manager, NDArray x, boolean training) {
        ParameterStore store = new ParameterStore(manager, false);
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    /** Number of scalars in all parameters of the block and its children. */
    public static long parameterCount(Block block) {
        long n = 0;
        for (Parameter p : block.getParameters().values()) {
            n += p.getArray().size();
        }
        return n;
    }

    /** Backpropagates a random projection of the output; every parameter must get a gradient. */
    public static void assertGradientsReachEveryParameter(Block block, NDManager manager, NDArray x) {
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray y = forward(block, manager, x, true);
            // A random projection, not sum(y): sum(y) has zero gradient through a norm's gain.
            collector.backward(y.mul(manager.randomNormal(y.getShape())).sum());
        }
        for (var entry : block.getParameters()) {
            NDArray grad = entry.getValue().getArray().getGradient();
            assertThat(grad.abs().sum().getFloat()).as("gradient of %s", entry.getKey()).isGreaterThan(0f);
        }
    }

    /** A LayerState backed by maps, enough for blocks that do not read other layers. */
    public static final class MapLayerState implements LayerState {
        private final Map<String, Object> shared = new HashMap<>();
        private final Map<String, NDArray> arrays = new HashMap<>();
        private final List<NDArray> outputs = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public <T> T shared(String key, Supplier<T> factory) {
            return (T) shared.computeIfAbsent(key, k -> factory.get());
        }

        @Override
        public NDArray embedding() {
            return null;
        }

        @Override
        public List<NDArray> layerOutputs() {
            return outputs;
        }

        @Override
        public void put(String key, NDArray value) {
            arrays.put(key, value);
        }

        @Override
        public NDArray get(String key) {
            return arrays.get(key);
        }

        @Override
        public void addAuxiliaryLoss(NDArray scalar) {}
    }
}
