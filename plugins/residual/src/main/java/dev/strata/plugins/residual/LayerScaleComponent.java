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
 * LayerScale (CaiT): pre-norm with a learned per-channel diagonal scale on each sublayer's output,
 * initialised to a small {@code init}, so deep stacks start close to the identity. Own parameters:
 * {@code 2 d_model}.
 */
@Extension
public final class LayerScaleComponent implements ResidualComponent {

    static final String INIT = "init";

    @Override
    public String id() {
        return "residual.layerscale";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "LayerScale: pre-norm with learned per-channel scales, x += diag(l1) tok(norm1(x)); x += diag(l2) ch(norm2(x))";
    }

    @Override
    public String reference() {
        return "Going deeper with Image Transformers (Touvron et al., 2021)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.real(INIT, 0.1, 1e-8, 1.0, 0.1, 1e-3, 1e-5)
                .describe("initial value of every diagonal scale; CaiT: 0.1 up to depth 18, 1e-5 at 24, 1e-6 deeper"));
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        double init = Ops.doubleParam(params, INIT, 0.1);
        if (!(init > 0) || init > 1) {
            throw new IllegalArgumentException(id() + ": init must be in (0, 1], got " + init);
        }
        return new LayerScaleBlock(sublayers, ctx.dModel(), (float) init);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 2L * ctx.dModel();
    }
}
