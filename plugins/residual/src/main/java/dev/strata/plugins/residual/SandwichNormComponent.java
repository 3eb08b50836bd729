package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import org.pf4j.Extension;

/**
 * Sandwich norm (CogView): every sublayer is wrapped in a norm on its input and another on its
 * output before the residual addition, which keeps the residual stream from growing with depth.
 * Four fresh norms per layer; no parameters of its own.
 */
@Extension
public final class SandwichNormComponent implements ResidualComponent {

    @Override
    public String id() {
        return "residual.sandwich";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Sandwich norm: x += norm_b(tok(norm_a(x))); x += norm_d(ch(norm_c(x))), four norms";
    }

    @Override
    public String reference() {
        return "CogView: Mastering Text-to-Image Generation via Transformers (Ding et al., 2021)";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        return new SandwichBlock(sublayers);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
