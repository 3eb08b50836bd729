package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** RWKV token shift: a learned per-channel mix of x_t and x_{t-1}, then a linear map (optionally gated). */
@Extension
public final class TokenShiftComponent implements MixerComponent {

    static final String GATE = "gate";

    @Override
    public String id() {
        return "mixer.token_shift";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "RWKV token shift: per-channel learned interpolation mu x_t + (1 - mu) x_{t-1}, then a linear map, "
                + "optionally W_o(sigmoid(W_r lerp_r) * W_v lerp_v) as in RWKV time-mix";
    }

    @Override
    public String reference() {
        return "RWKV: Reinventing RNNs for the Transformer Era (Peng et al., 2023)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.choice(GATE, "none", "none", "receptance")
                .describe("none: W lerp(x); receptance: W_o(sigmoid(W_r lerp_r(x)) * W_v lerp_v(x))"));
    }

    @Override
    public String notes() {
        return "sees only the previous position (also on non-causal tasks); stack layers to widen the view";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new TokenShiftBlock(ctx.dModel(), gated(params), ctx.layerIndex(), ctx.depth());
    }

    /** none: mu d + W d^2; receptance: mu_v, mu_r 2d + W_v, W_r, W_o 3d^2. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return gated(params) ? 3 * d * d + 2 * d : d * d + d;
    }

    private static boolean gated(Params params) {
        return "receptance".equals(params.getString(GATE));
    }
}
