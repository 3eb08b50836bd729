package dev.strata.api;

import ai.djl.nn.Block;

/** The parts of one layer, handed to a {@link ResidualComponent} to assemble. */
public interface Sublayers {

    /** The token mixer (attention or another token mixer), built for this layer. */
    Block tokenMixer();

    /** The channel mixer, built for this layer. */
    Block channelMixer();

    /**
     * A new instance of the layer's norm each call: pre-norm needs two, sandwich norm four, a
     * norm-free operator none.
     */
    Block newNorm();
}
