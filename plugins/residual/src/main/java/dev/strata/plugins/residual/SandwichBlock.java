package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.Ops.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;

/**
 * Sandwich norm: each sublayer reads a normalised copy of the stream and its output is normalised
 * again before it is added, {@code x += norm_b(f(norm_a(x)))}. Four norms, none shared.
 */
final class SandwichBlock extends SequenceBlock {

    private final Block tokenIn;
    private final Block tokenMixer;
    private final Block tokenOut;
    private final Block channelIn;
    private final Block channelMixer;
    private final Block channelOut;

    SandwichBlock(Sublayers sublayers) {
        this.tokenIn = addChildBlock("token_norm_in", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.tokenOut = addChildBlock("token_norm_out", sublayers.newNorm());
        this.channelIn = addChildBlock("channel_norm_in", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
        this.channelOut = addChildBlock("channel_norm_out", sublayers.newNorm());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        x = x.add(apply(store, tokenOut, apply(store, tokenMixer, apply(store, tokenIn, x, training), training), training));
        x = x.add(apply(store, channelOut, apply(store, channelMixer, apply(store, channelIn, x, training), training), training));
        return new NDList(x);
    }
}
