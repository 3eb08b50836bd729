package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/**
 * Dynamic erf: a point-wise {@code gamma * erf(alpha x + s) + beta} in place of a normalisation
 * layer; alpha and s are learned scalars (alpha from {@code alpha_init}, s from 0), gamma and beta
 * per feature (ones and zeros).
 */
@Extension
public final class DerfComponent implements NormComponent {

    static final String ALPHA_INIT = "alpha_init";

    @Override
    public String id() {
        return "norm.derf";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Dynamic erf gamma * erf(alpha * x + s) + beta, point-wise: learned scalars alpha and s, per-feature gamma and beta";
    }

    @Override
    public String reference() {
        return "Stronger Normalization-Free Transformers (Chen et al., 2025)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.real(ALPHA_INIT, 0.5, 0.01, 10.0, 0.2, 0.5, 1.0)
                .describe("initial value of the learned scalar alpha; the shift s starts at 0"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new SquashBlock(ctx.dModel(), (float) params.getDouble(ALPHA_INIT), SquashBlock.Squash.ERF);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 2L * ctx.dModel() + 2; // gamma, beta, alpha, s
    }
}
