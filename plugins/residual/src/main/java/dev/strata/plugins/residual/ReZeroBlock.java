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
 * ReZero: {@code x += alpha * tok(x); x += alpha * ch(x)} with no norm. One scalar {@code alpha}
 * per layer, shared by both sublayers as in the authors' ReZero transformer layer.
 */
final class ReZeroBlock extends SequenceBlock {

    private final Block tokenMixer;
    private final Block channelMixer;
    private final Parameter alpha;

    ReZeroBlock(Sublayers sublayers, float alphaInit) {
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
        this.alpha = addParameter(Ops.constant("alpha", new Shape(1), alphaInit));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray a = store.getValue(alpha, x.getDevice(), training);
        x = x.add(apply(store, tokenMixer, x, training).mul(a));
        x = x.add(apply(store, channelMixer, x, training).mul(a));
        return new NDList(x);
    }
}
