package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.Ops.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;

/**
 * LayerScale: pre-norm with a learned per-channel scale on each sublayer's output,
 * {@code x += diag(lambda_1) tok(norm1(x)); x += diag(lambda_2) ch(norm2(x))}.
 */
final class LayerScaleBlock extends SequenceBlock {

    private final Block norm1;
    private final Block tokenMixer;
    private final Block norm2;
    private final Block channelMixer;
    private final Parameter tokenScale;
    private final Parameter channelScale;

    LayerScaleBlock(Sublayers sublayers, int dModel, float init) {
        this.norm1 = addChildBlock("norm1", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.norm2 = addChildBlock("norm2", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
        this.tokenScale = addParameter(Ops.constant("token_scale", new Shape(dModel), init));
        this.channelScale = addParameter(Ops.constant("channel_scale", new Shape(dModel), init));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray s1 = store.getValue(tokenScale, x.getDevice(), training);
        NDArray s2 = store.getValue(channelScale, x.getDevice(), training);
        x = x.add(apply(store, tokenMixer, apply(store, norm1, x, training), training).mul(s1));
        x = x.add(apply(store, channelMixer, apply(store, norm2, x, training), training).mul(s2));
        return new NDList(x);
    }
}
