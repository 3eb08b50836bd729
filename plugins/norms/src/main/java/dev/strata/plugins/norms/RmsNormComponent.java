package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import org.pf4j.Extension;

/** RMSNorm: divide by the root mean square of the features, then a learned gain; no centring. */
@Extension
public final class RmsNormComponent implements NormComponent {

    static final float EPSILON = 1e-6f;

    @Override
    public String id() {
        return "norm.rms";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "RMSNorm over the feature axis with a learned gain (no mean subtraction, no bias)";
    }

    @Override
    public String reference() {
        return "Root Mean Square Layer Normalization (Zhang & Sennrich, 2019)";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new RmsNormBlock(ctx.dModel(), EPSILON);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return ctx.dModel(); // gain only
    }
}
