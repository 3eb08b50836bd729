package org.example.strata;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/**
 * A token mixer: each channel keeps an exponential moving average of the sequence,
 * y_t = sum_{s <= t} a (1 - a)^(t - s) x_s with a learned rate a per channel, then a linear map.
 *
 * <p>What a Strata component needs: a stable id and a version (stored with every trial), a
 * description and the paper, its kind (here a token mixer), its search dimensions with defaults,
 * whether it is causal-safe, and an exact parameter count. {@code @Extension} is how PF4J finds it.
 */
@Extension
public final class EmaMixerComponent implements MixerComponent {

    static final String ALPHA_INIT = "alpha_init";

    @Override
    public String id() {
        return "mixer.ema";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Per-channel exponential moving average over past positions, then a linear map";
    }

    @Override
    public String reference() {
        return "Mega: Moving Average Equipped Gated Attention (Ma et al., 2022)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public String complexity() {
        // Computed as a masked (n x n) weight matrix per channel: simple, and fast at short lengths.
        return "O(n^2)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.real(ALPHA_INIT, 0.5, 0.05, 0.95, 0.2, 0.5, 0.8)
                .describe("initial averaging rate a of every channel (higher forgets faster)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new EmaBlock(ctx.dModel(), params.getDouble(ALPHA_INIT));
    }

    /** One rate per channel, plus the d x d output map and its bias. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return d + d * d + d;
    }
}
