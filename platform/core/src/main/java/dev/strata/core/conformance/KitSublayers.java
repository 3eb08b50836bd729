package dev.strata.core.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import java.util.ArrayList;
import java.util.List;

/**
 * The sublayers the kit hands a residual component: small blocks of its own, so a residual
 * operator is checked without depending on any other plugin. The token mixer is causal (it reads
 * positions t and t-1), so a residual operator that leaks the future is caught by the causality
 * check. Every block handed out is remembered, so the kit can tell the operator's own parameters
 * from its sublayers'.
 */
final class KitSublayers implements Sublayers {

    private final int dModel;
    private final Block tokenMixer;
    private final Block channelMixer;
    private final List<Block> handedOut = new ArrayList<>();

    KitSublayers(int dModel) {
        this.dModel = dModel;
        this.tokenMixer = new ShiftMixer(dModel);
        this.channelMixer = Linear.builder().setUnits(dModel).build();
    }

    @Override
    public Block tokenMixer() {
        remember(tokenMixer);
        return tokenMixer;
    }

    @Override
    public Block channelMixer() {
        remember(channelMixer);
        return channelMixer;
    }

    @Override
    public Block newNorm() {
        Block norm = new RmsNorm(dModel);
        handedOut.add(norm);
        return norm;
    }

    /** Every distinct block handed out so far. */
    List<Block> handedOut() {
        return handedOut;
    }

    private void remember(Block b) {
        if (handedOut.stream().noneMatch(h -> h == b)) {
            handedOut.add(b);
        }
    }

    /** y_t = W [x_t ; x_{t-1}] + b: the smallest causal token mixer with parameters. */
    static final class ShiftMixer extends SequenceBlock {
        private final Linear mix;

        ShiftMixer(int dModel) {
            this.mix = addChildBlock("mix", Linear.builder().setUnits(dModel).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            Shape s = x.getShape();
            NDArray zero = x.getManager().zeros(new Shape(s.get(0), 1, s.get(2)), x.getDataType(), x.getDevice());
            NDArray previous = NDArrays.concat(new NDList(zero, x.get(":, :-1, :")), 1);
            return mix.forward(store, new NDList(x.concat(previous, -1)), training);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape s = inputShapes[0];
            mix.initialize(manager, dataType, new Shape(s.get(0), s.get(1), 2 * s.get(2)));
        }
    }

    /** RMSNorm with a gain, enough to stand in for the layer's norm. */
    static final class RmsNorm extends SequenceBlock {
        private final Parameter gain;

        RmsNorm(int dModel) {
            this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                    .optShape(new Shape(dModel)).optInitializer(new ConstantInitializer(1f)).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray rms = x.square().mean(new int[] {-1}, true).add(1e-6f).sqrt();
            return new NDList(x.div(rms).mul(store.getValue(gain, x.getDevice(), training)));
        }
    }
}
