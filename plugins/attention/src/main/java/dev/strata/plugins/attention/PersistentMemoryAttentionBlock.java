package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

/**
 * Multi-head attention whose keys and values are prefixed, in every head, by {@code memory} learned
 * persistent key/value vectors that do not depend on the input: a data-independent "memory" every
 * position can read (the paper's replacement for the feed-forward sublayer).
 *
 * <p>The memory slots are columns 0..N-1 of the scores and are never masked: they are the same for
 * all positions, so reading them leaks nothing from the future; the causal mask covers only the
 * sequence columns. Every row therefore has at least N + 1 visible columns.
 */
final class PersistentMemoryAttentionBlock extends ProjectedAttentionBlock {

    private final int memory;
    private final Parameter memoryKeys;
    private final Parameter memoryValues;

    PersistentMemoryAttentionBlock(int dModel, int heads, int memory, boolean causal) {
        super(dModel, heads, causal);
        this.memory = memory;
        // The paper's initialisation: keys N(0, 1/Dh), values N(0, 1/N) (variances).
        this.memoryKeys = addParameter(Parameter.builder().setName("memory_keys").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(heads, memory, headDim))
                .optInitializer(new NormalInitializer((float) Math.sqrt(1.0 / headDim))).build());
        this.memoryValues = addParameter(Parameter.builder().setName("memory_values").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(heads, memory, headDim))
                .optInitializer(new NormalInitializer((float) Math.sqrt(1.0 / memory))).build());
    }

    @Override
    protected NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training) {
        NDArray qs = q.mul(scale());
        NDArray memoryK = store.getValue(memoryKeys, q.getDevice(), training);
        NDArray memoryV = store.getValue(memoryValues, q.getDevice(), training);
        // Scores against the memory, (B, H, T, Dh) x (H, Dh, N): the matmul broadcasts the memory
        // over the batch (several times faster in backward than broadcasting the parameter itself).
        NDArray memoryScores = qs.matMul(memoryK.transpose(0, 2, 1));
        NDArray sequenceScores = Attention.scores(qs, k);
        NDArray mask = Attention.causalMaskOrNull(causal, q, q.getShape().get(2));
        if (mask != null) {
            sequenceScores = sequenceScores.add(mask); // the memory columns are never masked
        }
        // One softmax over the N memory columns and the T sequence columns together.
        NDList weights = NDArrays.concat(new NDList(memoryScores, sequenceScores), 3).softmax(-1)
                .split(new long[] {memory}, 3);
        return weights.get(0).matMul(memoryV).add(weights.get(1).matMul(v));
    }
}
