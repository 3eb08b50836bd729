package dev.strata.plugins.mixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;

/**
 * What {@code mixer.polynorm} and {@code mixer.polyrelu} share: an MLP Linear(d, e*d), a polynomial
 * composition activation of order 3 ({@link PolyBlock}), Linear(e*d, d); the expansion dimension
 * and the parameter count. Subclasses name the activation and say what it computes (PF4J's
 * annotation processor finds the extension point through this class).
 */
abstract class PolyMixerComponent implements MixerComponent {

    static final String EXPANSION = "expansion";

    private final PolyBlock.Kind kind;

    PolyMixerComponent(PolyBlock.Kind kind) {
        this.kind = kind;
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String reference() {
        return "Polynomial Composition Activations: Unleashing the Dynamics of Large Language Models (Zhuo et al., 2024)";
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
        return new PolyBlock(ctx.dModel(), hidden(ctx, params), kind);
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
