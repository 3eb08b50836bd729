package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Differential attention: the difference of two softmax maps, which cancels attention noise common to both. */
@Extension
public final class DifferentialAttentionComponent implements AttentionComponent {

    static final String ID = "attention.differential";
    static final String HEADS = "heads";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Differential attention: difference of two softmax maps weighted by a learned lambda, per-head RMS norm";
    }

    @Override
    public String reference() {
        return "Differential Transformer (Ye et al., 2024)";
    }

    @Override
    public List<Dimension> dimensions() {
        // Each head holds two query/key halves, so the paper uses half the heads of a baseline.
        return List.of(Dimension.integer(HEADS, 2, 1, 32, 1, 2, 4)
                .describe("attention heads; 2 * heads must divide d_model (each head has two query/key halves)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        check(ctx.dModel(), heads);
        return new DifferentialAttentionBlock(ctx.dModel(), heads, ctx.causal(), ctx.layerIndex());
    }

    private static void check(int dModel, int heads) {
        if (heads < 1 || dModel % (2 * heads) != 0) {
            throw new IllegalArgumentException(ID + ": d_model " + dModel + " is not divisible by 2 * heads (heads " + heads + ")");
        }
    }

    /** attention.mha's 4 (d^2 + d), four lambda vectors of head_dim / 2 and a head_dim gain: + 3 d / heads. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return 4 * (d * d + d) + 3 * (d / params.getInt(HEADS));
    }
}
