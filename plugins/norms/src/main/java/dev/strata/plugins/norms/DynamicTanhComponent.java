package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Dynamic Tanh: a point-wise {@code gamma * tanh(alpha x) + beta} in place of a normalisation layer. */
@Extension
public final class DynamicTanhComponent implements NormComponent {

    static final String ALPHA_INIT = "alpha_init";

    @Override
    public String id() {
        return "norm.dyt";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Dynamic Tanh gamma * tanh(alpha * x) + beta, point-wise: learned scalar alpha, per-feature gamma and beta";
    }

    @Override
    public String reference() {
        return "Transformers without Normalization (Zhu et al., 2025)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.real(ALPHA_INIT, 0.5, 0.01, 10.0, 0.2, 0.5, 1.0)
                .describe("initial value of the learned scalar alpha (the paper's alpha_0; 0.5 by default)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new SquashBlock(ctx.dModel(), (float) params.getDouble(ALPHA_INIT), SquashBlock.Squash.TANH);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 2L * ctx.dModel() + 1; // gamma, beta, alpha
    }
}
