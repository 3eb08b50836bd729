package dev.strata.api;

import ai.djl.nn.Block;

/**
 * A component that maps a sequence {@code (batch, seq, d_model)} to a sequence of the same shape:
 * token mixers (attention included), channel mixers and norms.
 */
public interface SequenceComponent extends Component {

    /**
     * Builds a fresh, uninitialised DJL block. Called once per layer that uses the component; each
     * call must return a new block (blocks own their parameters).
     */
    Block build(BuildContext ctx, Params params);

    /**
     * The analytical parameter count, if the component knows it; the conformance kit compares it
     * with the measured count. -1 means "not declared".
     */
    default long parameterCount(BuildContext ctx, Params params) {
        return -1;
    }
}
