package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Standard multi-head scaled dot-product self-attention, causal when the task is. */
@Extension
public final class MultiHeadAttentionComponent implements AttentionComponent {

    static final String HEADS = "heads";

    @Override
    public String id() {
        return "attention.mha";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Multi-head scaled dot-product self-attention with Q/K/V/O projections";
    }

    @Override
    public String reference() {
        return "Attention Is All You Need (Vaswani et al., 2017)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.integer(HEADS, 4, 1, 64, 1, 2, 4)
                .describe("attention heads; must divide d_model"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        if (ctx.dModel() % heads != 0) {
            throw new IllegalArgumentException(
                    id() + ": d_model " + ctx.dModel() + " is not divisible by heads " + heads);
        }
        return new MultiHeadAttentionBlock(ctx.dModel(), heads, ctx.causal());
    }

    /** Q, K, V and O are each d x d with a bias; the head count does not change the total. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return 4 * (d * d + d);
    }
}
