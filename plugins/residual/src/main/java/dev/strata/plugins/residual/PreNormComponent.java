package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import org.pf4j.Extension;

/**
 * Pre-norm: each sublayer reads a normalised copy and adds to an untouched residual stream, which
 * keeps gradients well scaled in deep stacks and trains without warm-up.
 */
@Extension
public final class PreNormComponent implements ResidualComponent {

    @Override
    public String id() {
        return "residual.pre_norm";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Pre-norm residual: x += tok(norm1(x)); x += ch(norm2(x))";
    }

    @Override
    public String reference() {
        return "On Layer Normalization in the Transformer Architecture (Xiong et al., 2020)";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        return new ResidualBlock(ResidualBlock.Placement.PRE, sublayers);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
