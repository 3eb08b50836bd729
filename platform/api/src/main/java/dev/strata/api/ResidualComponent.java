package dev.strata.api;

import ai.djl.nn.Block;

/**
 * Decides how a layer's sublayers meet the residual stream: pre-norm, post-norm, sandwich,
 * ReZero, parallel, DenseFormer, hyper-connections, looped depth... The composer never hard-codes
 * pre-norm; it hands the sublayers to the residual component of each layer.
 */
public interface ResidualComponent extends Component {

    @Override
    default ComponentKind kind() {
        return ComponentKind.RESIDUAL;
    }

    /**
     * Builds the whole layer block {@code (batch, seq, d_model) -> (batch, seq, d_model)} from the
     * layer's sublayers. The returned block must register every sublayer it uses as a child.
     */
    Block wrap(BuildContext ctx, Params params, Sublayers sublayers);

    /** Parameters this operator adds itself (gates, scales, depth weights); -1 if not declared. */
    default long parameterCount(BuildContext ctx, Params params) {
        return -1;
    }
}
