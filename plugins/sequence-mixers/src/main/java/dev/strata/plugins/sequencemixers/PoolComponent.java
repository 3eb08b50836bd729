package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** PoolFormer: average pooling over a window minus the input; no parameters. */
@Extension
public final class PoolComponent implements MixerComponent {

    static final String WINDOW = "window";

    @Override
    public String id() {
        return "mixer.pool";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "PoolFormer token mixer: average of the last `window` positions including t (non-causal: a centred "
                + "window), positions outside the sequence left out, minus x; no parameters";
    }

    @Override
    public String reference() {
        return "MetaFormer Is Actually What You Need for Vision (Yu et al., 2022)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.integer(WINDOW, 3, 2, 64, 2, 3, 5, 9)
                .describe("positions averaged, including t (PoolFormer uses 3)"));
    }

    @Override
    public String complexity() {
        return "O(n w)";
    }

    @Override
    public String notes() {
        return "no parameters: on its own it only mixes, the layer's other sublayers must learn";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int window = params.getInt(WINDOW);
        if (window < 2) {
            throw new IllegalArgumentException(id() + ": window " + window + " must be at least 2 (1 gives zero)");
        }
        return new PoolBlock(window, ctx.causal());
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
