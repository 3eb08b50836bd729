package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import java.util.List;
import org.pf4j.Extension;

/**
 * ReZero: {@code x += alpha tok(x); x += alpha ch(x)} with no norm and one learned scalar per layer
 * (shared by both sublayers, as in the authors' ReZero transformer layer).
 *
 * <p>{@code alpha_init} defaults to 0 as in the paper, so each layer starts as the identity. At
 * exactly 0 the sublayers' parameters get zero gradient on the first step (only alpha moves);
 * gradient-flow checks should use a non-zero {@code alpha_init}.
 */
@Extension
public final class ReZeroComponent implements ResidualComponent {

    static final String ALPHA_INIT = "alpha_init";

    @Override
    public String id() {
        return "residual.rezero";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "ReZero: x += alpha * tok(x); x += alpha * ch(x), one learned scalar alpha per layer, no norms";
    }

    @Override
    public String reference() {
        return "ReZero is All You Need: Fast Convergence at Large Depth (Bachlechner et al., 2020)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.real(ALPHA_INIT, 0.0, -1.0, 1.0, 0.0)
                .describe("initial value of the residual weight alpha; the paper uses 0"));
    }

    @Override
    public String notes() {
        return "With the default alpha_init 0 (the paper's) the sublayers' parameters get exactly zero gradient on the first"
                + " step, only alpha moves; check gradient flow with alpha_init != 0. No norms inside the layer.";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        double init = Ops.doubleParam(params, ALPHA_INIT, 0.0);
        if (!Double.isFinite(init) || Math.abs(init) > 1) {
            throw new IllegalArgumentException(id() + ": alpha_init must be in [-1, 1], got " + init);
        }
        return new ReZeroBlock(sublayers, (float) init);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 1;
    }
}
