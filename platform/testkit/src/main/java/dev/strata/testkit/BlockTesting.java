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

    /**
     * Largest change of the outputs at positions {@code 0..t} when every input after {@code t} is
     * replaced by large random values. A causal block gives 0 (up to float rounding).
     */
    public static float futureLeak(Block block, NDManager manager, NDArray x, int t) {
        long seq = x.getShape().get(1);
        NDArray perturbed = x.duplicate();
        if (t + 1 < seq) {
            Shape tail = new Shape(x.getShape().get(0), seq - t - 1, x.getShape().get(2));
            perturbed.set(new ai.djl.ndarray.index.NDIndex(":, " + (t + 1) + ":, :"), manager.randomNormal(tail).mul(10));
        }
        String upTo = ":, :" + (t + 1) + ", :";
        NDArray before = forward(block, manager, x, false).get(upTo);
        NDArray after = forward(block, manager, perturbed, false).get(upTo);
        return before.sub(after).abs().max().getFloat();
    }

    /** Asserts {@link #futureLeak} is below 1e-4 for several cut points {@code t}. */
    public static void assertCausal(Block block, NDManager manager, NDArray x) {
        long seq = x.getShape().get(1);
        for (int t : new int[] {0, (int) seq / 2 - 1, (int) seq - 2}) {
            assertThat(futureLeak(block, manager, x, t)).as("change at positions <= %d after changing later inputs", t)
                    .isLessThan(1e-4f);
        }
    }

    /**
     * A LayerState backed by maps. Call {@link #beginForward} and {@link #recordLayerOutput} around
     * the blocks of a hand-made stack, as the platform's model does, when a block reads the
     * embedding or earlier layer outputs (DenseFormer, attention over depth, MLKV).
     */
    public static final class MapLayerState implements LayerState {
        private final Map<String, Object> shared = new HashMap<>();
        private final Map<String, NDArray> arrays = new HashMap<>();
        private final List<NDArray> outputs = new ArrayList<>();
        private final List<NDArray> auxiliary = new ArrayList<>();
        private NDArray embedding;

        /** Starts a forward pass: forgets the last pass's arrays and records the embedding. */
        public void beginForward(NDArray embedding) {
            this.embedding = embedding;
            arrays.clear();
            outputs.clear();
            auxiliary.clear();
        }

        /** Records the output of the layer that just ran. */
        public void recordLayerOutput(NDArray output) {
            outputs.add(output);
        }

        /** Auxiliary losses added in this forward pass. */
        public List<NDArray> auxiliaryLosses() {
            return auxiliary;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T shared(String key, Supplier<T> factory) {
            return (T) shared.computeIfAbsent(key, k -> factory.get());
        }

        @Override
        public NDArray embedding() {
            return embedding;
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
        public void addAuxiliaryLoss(NDArray scalar) {
            auxiliary.add(scalar);
        }
    }
}
