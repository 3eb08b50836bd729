package dev.strata.plugins.mixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** An MLP with the PolyReLU activation of order 3 (see {@link PolyBlock} for the form and its stabilisation). */
@Extension
public final class PolyReluComponent implements MixerComponent {

    static final String EXPANSION = "expansion";

    @Override
    public String id() {
        return "mixer.polyrelu";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Position-wise MLP Linear(d, e*d), PolyReLU sum_i a_i ReLU(z)^i + b (i = 1..3, learned a_i, b), Linear(e*d, d)";
    }

    @Override
    public String reference() {
        return "Polynomial Composition Activations: Unleashing the Dynamics of Large Language Models (Zhuo et al., 2024)";
    }

    @Override
    public String notes() {
        return "ReLU(z) is clipped at 1e4 before the powers so that stacked layers stay finite in float32 "
                + "(the paper's function wherever z < 1e4)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.CHANNEL;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.integer(EXPANSION, 4, 1, 8, 2, 4).describe("hidden width as a multiple of d_model"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new PolyBlock(ctx.dModel(), hidden(ctx, params), PolyBlock.Kind.POLYRELU);
    }

    /** Both linears have a bias (as in mixer.mlp), plus 3 coefficients and 1 bias of the activation. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long h = hidden(ctx, params);
        return (d * h + h) + (h * d + d) + PolyBlock.ORDER + 1;
    }

    private static int hidden(BuildContext ctx, Params params) {
        return Math.multiplyExact(ctx.dModel(), params.getInt(EXPANSION));
    }
}
