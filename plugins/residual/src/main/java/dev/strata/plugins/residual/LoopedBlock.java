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
 * Looped depth: one pre-norm layer ({@code x += tok(norm1(x)); x += ch(norm2(x))}) applied
 * {@code loops} times with the same sublayers and the same two norms.
 */
final class LoopedBlock extends SequenceBlock {

    private final int loops;
    private final Block norm1;
    private final Block tokenMixer;
    private final Block norm2;
    private final Block channelMixer;

    LoopedBlock(Sublayers sublayers, int loops) {
        this.loops = loops;
        this.norm1 = addChildBlock("norm1", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.norm2 = addChildBlock("norm2", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        for (int i = 0; i < loops; i++) {
            x = x.add(apply(store, tokenMixer, apply(store, norm1, x, training), training));
            x = x.add(apply(store, channelMixer, apply(store, norm2, x, training), training));
        }
        return new NDList(x);
    }
}
