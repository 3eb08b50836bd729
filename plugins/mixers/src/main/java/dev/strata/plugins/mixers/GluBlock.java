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

/**
 * {@code W2(act(W1 x) * (V x))} on {@code (batch, seq, d)}, without biases. W1 and V are one fused
 * {@code d -> 2h} linear whose output is split in halves: the first half goes through the
 * activation, the second is the linear gate.
 */
final class GluBlock extends SequenceBlock {

    /** The activation on the W1 branch. */
    enum Gate {
        /** Swish with beta 1 (SiLU): SwiGLU. */
        SWISH,
        /** GELU (exact, erf form): GEGLU. */
        GELU;

        NDArray apply(NDArray x) {
            return switch (this) {
                case SWISH -> x.mul(ai.djl.nn.Activation.sigmoid(x)); // SiLU: DJL has no fused op
                case GELU -> ai.djl.nn.Activation.gelu(x);
            };
        }
    }

    private final Linear in;
    private final Linear out;
    private final Gate gate;

    GluBlock(int dModel, int hidden, Gate gate) {
        this.in = addChildBlock("in", Linear.builder().setUnits(2L * hidden).optBias(false).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).optBias(false).build());
        this.gate = gate;
    }

    /** The output linear sees the hidden width h, half of the fused linear's output. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        in.initialize(manager, dataType, x);
        Shape fused = in.getOutputShapes(new Shape[] {x})[0];
        out.initialize(manager, dataType, fused.slice(0, fused.dimension() - 1).add(fused.get(fused.dimension() - 1) / 2));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray fused = in.forward(store, inputs, training).singletonOrThrow();
        // DJL's PyTorch split takes no negative axis.
        NDList halves = fused.split(2, fused.getShape().dimension() - 1);
        NDArray hidden = gate.apply(halves.get(0)).mul(halves.get(1));
        return out.forward(store, new NDList(hidden), training);
    }
}
