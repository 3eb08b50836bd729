package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** A short depthwise convolution gated by, or followed by, a linear map (Zoology's BaseConv, H3's shift). */
@Extension
public final class ShortConvComponent implements MixerComponent {

    static final String KERNEL = "kernel";
    static final String GATE = "gate";

    @Override
    public String id() {
        return "mixer.short_conv";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Short depthwise convolution over the last `kernel` positions (causal: left padding only; non-causal: "
                + "centred), multiplied by a linear projection of the input (Zoology BaseConv) or followed by one";
    }

    @Override
    public String reference() {
        return "Zoology: Measuring and Improving Recall in Efficient Language Models (Arora et al., 2023); "
                + "Hungry Hungry Hippos: Towards Language Modeling with State Space Models (Fu et al., 2023)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(KERNEL, 4, 1, 64, 2, 3, 4, 8).describe("convolution kernel length in positions"),
                Dimension.choice(GATE, "mul", "mul", "silu", "none")
                        .describe("mul: conv(x) * (Wx + b) (BaseConv); silu: silu(conv(x)) * silu(Wx + b); "
                                + "none: W conv(x) + b"));
    }

    @Override
    public String complexity() {
        return "O(n w)";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int kernel = params.getInt(KERNEL);
        if (kernel < 1) {
            throw new IllegalArgumentException(id() + ": kernel " + kernel + " must be positive");
        }
        return new ShortConvBlock(ctx.dModel(), kernel, ShortConvBlock.Gate.of(params.getString(GATE)), ctx.causal());
    }

    /** Conv kernel K*d and bias d, projection d*d and bias d, whichever the gate. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return d * params.getInt(KERNEL) + d + d * d + d;
    }
}
