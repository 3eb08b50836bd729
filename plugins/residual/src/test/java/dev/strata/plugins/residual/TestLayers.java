package dev.strata.plugins.residual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.ArrayList;
import java.util.List;

/** Simple sublayers and hand-made stacks for the residual operator tests. */
final class TestLayers {

    private TestLayers() {}

    /**
     * Token mixer {@code y_t = x_t + W x_(t - shift)} (zero outside the sequence): {@code shift = 1}
     * reads the previous position and is causal, {@code shift = -1} reads the next one and is not.
     */
    static final class ShiftMixer extends SequenceBlock {
        private final int shift;
        private final Linear w;

        ShiftMixer(int dModel, int shift) {
            this.shift = shift;
            this.w = addChildBlock("w", Linear.builder().setUnits(dModel).optBias(false).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            Shape s = x.getShape();
            NDArray zero = x.getManager().zeros(new Shape(s.get(0), 1, s.get(2)), x.getDataType(), x.getDevice());
            long t = s.get(1);
            NDArray shifted = shift > 0
                    ? NDArrays.concat(new NDList(zero, x.get(new NDIndex(":, :" + (t - 1) + ", :"))), 1)
                    : NDArrays.concat(new NDList(x.get(new NDIndex(":, 1:, :")), zero), 1);
            return new NDList(x.add(w.forward(store, new NDList(shifted), training).singletonOrThrow()));
        }
    }

    /** RMS norm with a learned gain (ones at init), like norm.rms. */
    static final class RmsNorm extends SequenceBlock {
        private final Parameter gain;

        RmsNorm(int dModel) {
            this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                    .optShape(new Shape(dModel)).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray g = store.getValue(gain, x.getDevice(), training);
            return new NDList(x.mul(x.square().mean(new int[] {-1}, true).add(1e-6f).pow(-0.5f)).mul(g));
        }
    }

    /** Sublayers that remember every block they handed out, so their parameters can be counted. */
    static final class TrackingSublayers implements Sublayers {
        final Block token;
        final Block channel;
        final java.util.function.Supplier<Block> normFactory;
        final List<Block> norms = new ArrayList<>();

        TrackingSublayers(Block token, Block channel, java.util.function.Supplier<Block> normFactory) {
            this.token = token;
            this.channel = channel;
            this.normFactory = normFactory;
        }

        /** Causal shift mixer, a linear channel mixer and RMS norms. */
        static TrackingSublayers simple(int dModel, int shift) {
            return new TrackingSublayers(new ShiftMixer(dModel, shift), Linear.builder().setUnits(dModel).build(),
                    () -> new RmsNorm(dModel));
        }

        @Override
        public Block tokenMixer() {
            return token;
        }

        @Override
        public Block channelMixer() {
            return channel;
        }

        @Override
        public Block newNorm() {
            Block n = normFactory.get();
            norms.add(n);
            return n;
        }

        /** Scalars in the handed-out sublayers (initialised). */
        long parameterCount() {
            long n = dev.strata.testkit.BlockTesting.parameterCount(token) + dev.strata.testkit.BlockTesting.parameterCount(channel);
            for (Block b : norms) {
                n += dev.strata.testkit.BlockTesting.parameterCount(b);
            }
            return n;
        }
    }

    /** One residual operator with its parameters. */
    record Operator(ResidualComponent component, Params params) {
        @Override
        public String toString() {
            return component.id() + (params.asMap().isEmpty() ? "" : " " + params);
        }
    }

    /**
     * A hand-made stack of layers run the way the platform's model runs them: {@code beginForward}
     * with the input, then each layer, recording its output.
     */
    static final class Stack extends SequenceBlock {
        final MapLayerState state;
        final List<Block> layers = new ArrayList<>();
        final List<TrackingSublayers> sublayers = new ArrayList<>();
        final List<BuildContext> contexts = new ArrayList<>();

        Stack(int dModel, int seq, boolean causal, List<Operator> operators, int shift) {
            this.state = new MapLayerState();
            for (int i = 0; i < operators.size(); i++) {
                BuildContext ctx = new BuildContext(dModel, seq, causal, i, operators.size(), state);
                TrackingSublayers parts = TrackingSublayers.simple(dModel, shift);
                Operator op = operators.get(i);
                layers.add(addChildBlock("layer" + i, op.component().wrap(ctx, op.params(), parts)));
                sublayers.add(parts);
                contexts.add(ctx);
            }
        }

        Stack(int dModel, int seq, boolean causal, Operator op, int depth) {
            this(dModel, seq, causal, java.util.Collections.nCopies(depth, op), 1);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            state.beginForward(x);
            for (Block layer : layers) {
                x = layer.forward(store, new NDList(x), training).singletonOrThrow();
                state.recordLayerOutput(x);
            }
            return new NDList(x);
        }

        long sublayerParameters() {
            return sublayers.stream().mapToLong(TrackingSublayers::parameterCount).sum();
        }
    }
}
