package dev.strata.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A composed candidate: token ids {@code (batch, seq)} (int32) to logits {@code (batch, seq, vocab)}.
 *
 * <p>Token embedding plus a learned absolute position embedding, then the layers (each one the block
 * its residual component assembled), the final norm and a linear LM head. During every forward pass
 * the model records the embedding and each layer's output in its {@link ModelLayerState} before the
 * next layer runs; auxiliary losses the layers add are in {@link #auxiliaryLosses()} until the next
 * forward pass.
 *
 * <p>Built by {@link ModelComposer}. Initialise with {@code initialize(manager, FLOAT32, new
 * Shape(batch, seq))}.
 */
public final class CandidateModel extends AbstractBlock {

    /** Standard deviation of the embedding initialisation (GPT-2's). */
    static final float EMBEDDING_STD = 0.02f;

    private final int vocabSize;
    private final int maxSequenceLength;
    private final int dModel;
    private final ModelLayerState state;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<Block> layers;
    private final Block finalNorm;
    private final Linear head;

    private long cachedLength = -1;
    private NDIndex cachedPositions;

    CandidateModel(int vocabSize, int maxSequenceLength, int dModel, List<Block> layers, Block finalNorm, ModelLayerState state) {
        super((byte) 1);
        this.vocabSize = vocabSize;
        this.maxSequenceLength = maxSequenceLength;
        this.dModel = dModel;
        this.state = state;
        this.tokenEmbedding = addParameter(Parameter.builder().setName("token_embedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabSize, dModel)).optInitializer(new NormalInitializer(EMBEDDING_STD)).build());
        this.positionEmbedding = addParameter(Parameter.builder().setName("position_embedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(maxSequenceLength, dModel)).optInitializer(new NormalInitializer(EMBEDDING_STD)).build());
        List<Block> added = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            added.add(addChildBlock("layer" + i, layers.get(i)));
        }
        this.layers = List.copyOf(added);
        this.finalNorm = addChildBlock("final_norm", finalNorm);
        this.head = addChildBlock("lm_head", Linear.builder().setUnits(vocabSize).build());
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    public int dModel() {
        return dModel;
    }

    public int depth() {
        return layers.size();
    }

    /** The state the model's layers share (also handed to every component at build time). */
    public ModelLayerState layerState() {
        return state;
    }

    /** Auxiliary losses added by the layers during the last forward pass (empty for most models). */
    public List<NDArray> auxiliaryLosses() {
        return state.auxiliaryLosses();
    }

    /**
     * Trainable parameters, each once even if a block is reachable twice (blocks are supposed to be
     * registered by one owner only, but a parameter updated twice per step would be a silent bug).
     */
    public List<Parameter> trainableParameters() {
        Map<Parameter, Boolean> seen = new IdentityHashMap<>();
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : getParameters().values()) {
            if (p.requiresGradient() && seen.put(p, Boolean.TRUE) == null) {
                out.add(p);
            }
        }
        return out;
    }

    /** Number of trainable scalars; the model must be initialised. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : trainableParameters()) {
            n += p.getArray().getShape().size();
        }
        return n;
    }

    /**
     * Scalars in the token and position embedding tables (looked up, not multiplied: left out of
     * the FLOPs estimate); the model must be initialised.
     */
    public long embeddingParameterCount() {
        return tokenEmbedding.getArray().getShape().size() + positionEmbedding.getArray().getShape().size();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.head();
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("expected token ids of shape (batch, seq), got " + shape);
        }
        long length = shape.get(1);
        if (length > maxSequenceLength) {
            throw new IllegalArgumentException("sequence length " + length + " exceeds the model's " + maxSequenceLength);
        }
        NDArray tokens = Embedding.embedding(ids, store.getValue(tokenEmbedding, ids.getDevice(), training), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray positions = store.getValue(positionEmbedding, ids.getDevice(), training);
        if (length != maxSequenceLength) {
            positions = positions.get(positionIndex(length));
        }
        NDArray x = tokens.add(positions);
        state.beginForward(x);
        for (Block layer : layers) {
            x = layer.forward(store, new NDList(x), training, params).singletonOrThrow();
            state.recordLayerOutput(x);
        }
        x = finalNorm.forward(store, new NDList(x), training, params).singletonOrThrow();
        return head.forward(store, new NDList(x), training, params);
    }

    private NDIndex positionIndex(long length) {
        if (length != cachedLength) {
            cachedPositions = new NDIndex().addSliceDim(0, length);
            cachedLength = length;
        }
        return cachedPositions;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), vocabSize)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        Shape hidden = new Shape(ids.get(0), ids.get(1), dModel);
        for (Block layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        finalNorm.initialize(manager, dataType, hidden);
        head.initialize(manager, dataType, hidden);
    }

    @Override
    public String toString() {
        return "CandidateModel(vocab=" + vocabSize + ", seq=" + maxSequenceLength + ", d=" + dModel + ", layers=" + layers.size() + ")";
    }
}
