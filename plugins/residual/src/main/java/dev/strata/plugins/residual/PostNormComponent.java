package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import org.pf4j.Extension;

/** Post-norm, the original transformer's placement: normalise after each residual addition. */
@Extension
public final class PostNormComponent implements ResidualComponent {

    @Override
    public String id() {
        return "residual.post_norm";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Post-norm residual: x = norm1(x + tok(x)); x = norm2(x + ch(x))";
    }

    @Override
    public String reference() {
        return "Attention Is All You Need (Vaswani et al., 2017)";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        return new ResidualBlock(ResidualBlock.Placement.POST, sublayers);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
