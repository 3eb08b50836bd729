package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import org.pf4j.Extension;

/** ScaleNorm: project each position onto the sphere of radius g, one learned scalar g (initially sqrt(d)). */
@Extension
public final class ScaleNormComponent implements NormComponent {

    /** Inside the square root, on the sum of squares. */
    static final float EPSILON = 1e-5f;

    @Override
    public String id() {
        return "norm.scale";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "ScaleNorm g * x / sqrt(sum(x^2) + eps) over the feature axis, one learned scalar g initialised to sqrt(d_model)";
    }

    @Override
    public String reference() {
        return "Transformers without Tears: Improving the Normalization of Self-Attention (Nguyen & Salazar, 2019)";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new ScaleNormBlock(ctx.dModel(), EPSILON);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 1; // g
    }
}
