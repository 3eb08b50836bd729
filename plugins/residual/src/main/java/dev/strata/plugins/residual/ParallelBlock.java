package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.Ops.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;

/** Parallel layer: both sublayers read one shared norm of the input, {@code x + tok(h) + ch(h)}. */
final class ParallelBlock extends SequenceBlock {

    private final Block norm;
    private final Block tokenMixer;
    private final Block channelMixer;

    ParallelBlock(Sublayers sublayers) {
        this.norm = addChildBlock("norm", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray h = apply(store, norm, x, training);
        return new NDList(x.add(apply(store, tokenMixer, h, training)).add(apply(store, channelMixer, h, training)));
    }
}
