package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import org.pf4j.Extension;

/** No normalisation: the identity, for norm-free residual experiments (ReZero, DyT-style stacks). */
@Extension
public final class IdentityNormComponent implements NormComponent {

    @Override
    public String id() {
        return "norm.none";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Identity: no normalisation and no parameters, for norm-free residual experiments";
    }

    @Override
    public String reference() {
        return "None (the identity); a baseline for norm-free residual designs such as "
                + "ReZero is All You Need: Fast Convergence at Large Depth (Bachlechner et al., 2020)";
    }

    @Override
    public String notes() {
        return "without a norm nothing bounds the residual stream; pair with a residual operator that scales its branches";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new IdentityNormBlock();
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
