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
 * Looped depth (Universal Transformers, looped transformers): one pre-norm layer applied
 * {@code loops} times with the same sublayers and the same two norms. No own parameters.
 */
@Extension
public final class LoopedComponent implements ResidualComponent {

    static final String LOOPS = "loops";

    @Override
    public String id() {
        return "residual.looped";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Looped depth: the pre-norm layer applied loops times with the same sublayer weights and norms";
    }

    @Override
    public String reference() {
        return "Universal Transformers (Dehghani et al., 2019); Looped Transformers as Programmable Computers (Giannou et al., 2023)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.integer(LOOPS, 2, 1, 8, 1, 2, 3).describe("times the shared pre-norm layer is applied"));
    }

    @Override
    public String notes() {
        return "Compute and activation memory grow with loops: a layer costs loops times a pre-norm layer (~2x at the default"
                + " loops 2). No per-loop timestep embedding (Universal Transformers add one).";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        int loops = Ops.intParam(params, LOOPS, 2);
        if (loops < 1 || loops > 8) {
            throw new IllegalArgumentException(id() + ": loops must be in [1, 8], got " + loops);
        }
        return new LoopedBlock(sublayers, loops);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
