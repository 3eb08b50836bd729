package dev.strata.plugins.mixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** The transformer feed-forward layer: widen, a pointwise nonlinearity, project back. */
@Extension
public final class MlpComponent implements MixerComponent {

    static final String EXPANSION = "expansion";
    static final String ACTIVATION = "activation";

    @Override
    public String id() {
        return "mixer.mlp";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Position-wise MLP: Linear(d, e*d), GELU or squared ReLU, Linear(e*d, d)";
    }

    @Override
    public String reference() {
        return "Attention Is All You Need (Vaswani et al., 2017); relu2 from "
                + "Primer: Searching for Efficient Transformers for Language Modeling (So et al., 2021)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.CHANNEL;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(EXPANSION, 4, 1, 8, 2, 4).describe("hidden width as a multiple of d_model"),
                Dimension.choice(ACTIVATION, "gelu", "gelu", "relu2")
                        .describe("gelu, or relu2 = ReLU(x)^2 (So et al., Primer)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new MlpBlock(ctx.dModel(), hidden(ctx, params), MlpBlock.Activation.of(params.getString(ACTIVATION)));
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long h = hidden(ctx, params);
        return (d * h + h) + (h * d + d); // both linears have a bias
    }

    private static int hidden(BuildContext ctx, Params params) {
        return Math.multiplyExact(ctx.dModel(), params.getInt(EXPANSION));
    }
}
