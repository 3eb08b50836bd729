package dev.strata.plugins.residual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;

/**
 * One layer: a token mixer and a channel mixer, each with its own norm, joined to the residual
 * stream before (pre-norm) or after (post-norm) the norm. All four sublayers are children, so
 * their parameters belong to this block and are trained and saved with it.
 */
final class ResidualBlock extends SequenceBlock {

    /** Where the norm sits relative to the residual addition. */
    enum Placement { PRE, POST }

    private final Placement placement;
    private final Block norm1;
    private final Block tokenMixer;
    private final Block norm2;
    private final Block channelMixer;

    ResidualBlock(Placement placement, Sublayers sublayers) {
        this.placement = placement;
        // Two fresh norms: the two sublayers must not share gain and bias.
        this.norm1 = addChildBlock("norm1", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.norm2 = addChildBlock("norm2", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        x = step(store, x, norm1, tokenMixer, training);
        x = step(store, x, norm2, channelMixer, training);
        return new NDList(x);
    }

    private NDArray step(ParameterStore store, NDArray x, Block norm, Block sublayer, boolean training) {
        return switch (placement) {
            case PRE -> x.add(apply(store, sublayer, apply(store, norm, x, training), training));
            case POST -> apply(store, norm, x.add(apply(store, sublayer, x, training)), training);
        };
    }

    private static NDArray apply(ParameterStore store, Block block, NDArray x, boolean training) {
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }
}
