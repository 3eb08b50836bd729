package dev.strata.plugins.mixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/**
 * SwiGLU: a gated linear unit with a Swish (SiLU) gate, {@code W2(act(W1 x) * (V x))}, no biases. See
 * {@link GatedUnits} for the hidden width (two thirds of an MLP's, rounded up to a multiple of 8).
 */
@Extension
public final class SwiGluComponent implements MixerComponent {

    @Override
    public String id() {
        return "mixer.swiglu";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "SwiGLU feed-forward: W2(SiLU(W1 x) * (V x)), hidden 2/3 * e * d_model rounded up to a multiple of 8, no biases";
    }

    @Override
    public String reference() {
        return "GLU Variants Improve Transformer (Shazeer, 2020)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.CHANNEL;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(GatedUnits.expansion());
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new GluBlock(ctx.dModel(), GatedUnits.hidden(ctx, params), GluBlock.Gate.SWISH);
    }

    /** {@code 3 * d * h}: the fused W1/V (d x 2h) and W2 (h x d). */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return GatedUnits.parameterCount(ctx, params);
    }
}
