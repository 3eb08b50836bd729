package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.Ops.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.strata.api.LayerState;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import java.util.List;

/**
 * Attention over depth, then a pre-norm layer. At every position the layer's input is replaced by
 * {@code m = sum_j softmax_j(q . k_j / sqrt(d_k)) r_j} over the earlier representations
 * {@code r = [embedding, out_0, ..., out_{k-1}, x]} (each array once: inside the model {@code x} is
 * {@code out_{k-1}}, and layer 0's input is the embedding), with {@code q = rms(x) W_q} and
 * {@code k_j = rms(r_j) W_k}. Then {@code m += tok(norm1(m)); m += ch(norm2(m))}.
 *
 * <p>Layer 0 has nothing to attend over but its own input, so it is plain pre-norm and creates no
 * query or key weights.
 */
final class DepthAttentionBlock extends SequenceBlock {

    private final int layer;
    private final int keyDim;
    private final float scale;
    private final LayerState state;
    private final Block norm1;
    private final Block tokenMixer;
    private final Block norm2;
    private final Block channelMixer;
    private final Parameter query;
    private final Parameter key;

    DepthAttentionBlock(Sublayers sublayers, int dModel, int layer, int keyDim, LayerState state) {
        this.layer = layer;
        this.keyDim = keyDim;
        this.scale = (float) (1.0 / Math.sqrt(keyDim));
        this.state = state;
        this.norm1 = addChildBlock("norm1", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.norm2 = addChildBlock("norm2", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
        if (layer > 0) {
            // rms-normalised inputs and N(0, 1/d) weights give unit-variance queries and keys.
            float sigma = (float) (1.0 / Math.sqrt(dModel));
            this.query = addParameter(Ops.initialized("depth_query", new Shape(dModel, keyDim), new NormalInitializer(sigma)));
            this.key = addParameter(Ops.initialized("depth_key", new Shape(dModel, keyDim), new NormalInitializer(sigma)));
        } else {
            this.query = null;
            this.key = null;
        }
    }

    static long ownParameters(int dModel, int layer, int keyDim) {
        return layer == 0 ? 0 : 2L * dModel * keyDim;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray m = layer == 0 ? x : mixOverDepth(store, x, training);
        m = m.add(apply(store, tokenMixer, apply(store, norm1, m, training), training));
        m = m.add(apply(store, channelMixer, apply(store, norm2, m, training), training));
        return new NDList(m);
    }

    private NDArray mixOverDepth(ParameterStore store, NDArray x, boolean training) {
        NDArray embedding = state == null ? null : state.embedding();
        List<NDArray> outputs = state == null ? List.of() : state.layerOutputs();
        if (embedding == null || outputs.size() < layer) {
            throw new IllegalStateException("residual.depth_attention: layer " + layer
                    + " needs the embedding and the outputs of layers 0.." + (layer - 1)
                    + " of the current forward pass in the layer state");
        }
        NDList sources = new NDList(layer + 2);
        if (embedding != x) {
            sources.add(embedding);
        }
        for (int j = 0; j < layer; j++) {
            if (outputs.get(j) != x) {
                sources.add(outputs.get(j));
            }
        }
        sources.add(x);
        Shape s = x.getShape();
        var device = x.getDevice();
        NDArray reps = NDArrays.stack(sources, 2); // (B, T, m, D)
        NDArray keys = Ops.rmsNormalize(reps).matMul(store.getValue(key, device, training)); // (B, T, m, dk)
        NDArray q = Ops.rmsNormalize(x).matMul(store.getValue(query, device, training)).mul(scale)
                .reshape(s.get(0), s.get(1), 1, keyDim); // (B, T, 1, dk)
        NDArray weights = q.matMul(keys.transpose(0, 1, 3, 2)).softmax(-1); // (B, T, 1, m)
        return weights.matMul(reps).reshape(s); // (B, T, D)
    }
}
