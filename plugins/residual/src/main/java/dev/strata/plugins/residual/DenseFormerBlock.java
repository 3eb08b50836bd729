package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.Ops.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.LayerState;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import java.util.List;

/**
 * A pre-norm layer followed by DenseFormer's depth-weighted average (DWA). Layer {@code k} computes
 * its block output {@code y_k = prenorm(x)} and returns
 * {@code sum_j w_j r_j} over {@code r = [embedding, y_0, ..., y_{k-1}, y_k]} ({@code k + 2} learned
 * scalars, initialised to 1 on {@code y_k} and 0 elsewhere, so the layer starts as plain pre-norm).
 *
 * <p>The model records as layer outputs what each layer returned, i.e. the DWA outputs; DWA averages
 * the raw block outputs. Each DenseFormer layer therefore stores its raw block output under
 * {@code residual.denseformer/raw/<k>} and later layers read those back. For an earlier layer that
 * is not a DenseFormer layer (no raw output stored) its recorded layer output is used: it has no
 * DWA of its own, so what it returned is its block output.
 */
final class DenseFormerBlock extends SequenceBlock {

    static final String RAW_KEY = "residual.denseformer/raw/";

    private final int layer;
    private final LayerState state;
    private final Block norm1;
    private final Block tokenMixer;
    private final Block norm2;
    private final Block channelMixer;
    private final Parameter weights;

    DenseFormerBlock(Sublayers sublayers, int layer, LayerState state) {
        this.layer = layer;
        this.state = state;
        this.norm1 = addChildBlock("norm1", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.norm2 = addChildBlock("norm2", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
        float[] identity = new float[layer + 2];
        identity[layer + 1] = 1f;
        this.weights = addParameter(Ops.fixed("dwa_weights", new Shape(layer + 2), identity));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = x.add(apply(store, tokenMixer, apply(store, norm1, x, training), training));
        y = y.add(apply(store, channelMixer, apply(store, norm2, y, training), training));
        if (state != null) {
            state.put(RAW_KEY + layer, y);
        }

        NDList sources = new NDList(layer + 2);
        // Layer 0's input is the embedding, so it needs nothing from the state.
        sources.add(layer == 0 ? x : embedding());
        if (layer > 0) {
            List<NDArray> outputs = state.layerOutputs();
            if (outputs.size() < layer) {
                throw new IllegalStateException("residual.denseformer: layer " + layer + " needs the outputs of layers 0.."
                        + (layer - 1) + " but the layer state has " + outputs.size());
            }
            for (int j = 0; j < layer; j++) {
                NDArray raw = state.get(RAW_KEY + j);
                sources.add(raw != null ? raw : outputs.get(j));
            }
        }
        sources.add(y);
        NDArray w = store.getValue(weights, x.getDevice(), training).reshape(layer + 2, 1, 1, 1);
        return new NDList(NDArrays.stack(sources, 0).mul(w).sum(new int[] {0}));
    }

    private NDArray embedding() {
        NDArray e = state == null ? null : state.embedding();
        if (e == null) {
            throw new IllegalStateException("residual.denseformer: layer " + layer
                    + " needs the embedding of the current forward pass; none is recorded in the layer state");
        }
        return e;
    }
}
