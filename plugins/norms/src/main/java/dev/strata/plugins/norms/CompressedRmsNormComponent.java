package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import org.pf4j.Extension;

/**
 * Compressed RMSNorm (Jiang et al., 2023). The paper observes that a zero-mean vector
 * {@code v in R^(n)} is determined by its first n - 1 coordinates (the last is minus their sum),
 * stores only those, and normalises the compressed {@code x in R^(n-1)} by the RMS of the full v:
 * {@code CRMSNorm(x) = x / sqrt((sum_i x_i^2 + (sum_i x_i)^2) / n)}. Here the residual stream's d
 * values are the compressed coordinates, so n = d + 1:
 * {@code y = gain * x / sqrt((sum(x^2) + sum(x)^2) / (d + 1) + eps)}, with a learned per-feature
 * gain (ones at first) as in RMSNorm. On a zero-mean (d + 1)-vector this gives exactly LayerNorm's
 * (and RMSNorm's) first d outputs.
 */
@Extension
public final class CompressedRmsNormComponent implements NormComponent {

    static final float EPSILON = 1e-6f;

    @Override
    public String id() {
        return "norm.crms";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Compressed RMSNorm gain * x / sqrt((sum(x^2) + sum(x)^2) / (d+1) + eps): RMS over d values plus "
                + "their negated sum as an implicit (d+1)-th coordinate";
    }

    @Override
    public String reference() {
        return "Pre-RMSNorm and Pre-CRMSNorm Transformers: Equivalent and Efficient Pre-LN Transformers (Jiang et al., 2023)";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new CompressedRmsNormBlock(ctx.dModel(), EPSILON);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return ctx.dModel(); // gain
    }
}
