package dev.strata.api;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.util.Pair;

/**
 * Base class for blocks that map {@code (batch, seq, d)} to the same shape and whose children all
 * take that shape too: most mixers, norms and residual operators. Subclasses add children and
 * parameters in their constructor and implement {@code forwardInternal}.
 */
public abstract class SequenceBlock extends AbstractBlock {

    protected SequenceBlock() {
        super((byte) 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Children get the block's input shape; override when a child sees another shape. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Pair<String, Block> child : children) {
            child.getValue().initialize(manager, dataType, inputShapes[0]);
        }
    }
}
