package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/**
 * Multi-query attention: every query head reads one shared key/value head, which shrinks the K/V
 * projection (and a decoder's K/V cache) by a factor of {@code heads}.
 */
@Extension
public final class MultiQueryAttentionComponent implements AttentionComponent {

    static final String ID = "attention.mqa";
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
        return "Multi-query attention: per-head queries, one key/value head shared by all heads";
    }

    @Override
    public String reference() {
        return "Fast Transformer Decoding: One Write-Head is All You Need (Shazeer, 2019)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        Attention.headDim(ID, ctx.dModel(), heads);
        return new GroupedQueryAttentionBlock(ctx.dModel(), heads, 1, ctx.causal());
    }

    /** Q and O are d x d, K and V d x (d / heads), all with biases. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return GroupedQueryAttentionBlock.parameterCount(ctx.dModel(), params.getInt(HEADS), 1);
    }
}
