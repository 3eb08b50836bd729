package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/**
 * Grouped-query attention: {@code heads} query heads in {@code kv_heads} groups, each group sharing
 * one key/value head; interpolates between multi-query (1 group) and multi-head (heads groups).
 */
@Extension
public final class GroupedQueryAttentionComponent implements AttentionComponent {

    static final String ID = "attention.gqa";
    static final String HEADS = "heads";
    static final String KV_HEADS = "kv_heads";

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
        return "Grouped-query attention: query heads in groups, each group sharing one key/value head";
    }

    @Override
    public String reference() {
        return "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head Checkpoints (Ainslie et al., 2023)";
    }

    @Override
    public List<Dimension> dimensions() {
        // Every searched pair is valid: 1 and 2 divide 2, 4 and 8.
        return List.of(Attention.headsDimension(4, 2, 4, 8),
                Dimension.integer(KV_HEADS, 2, 1, 64, 1, 2)
                        .describe("key/value heads, each shared by heads / kv_heads query heads; must divide heads"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        int kvHeads = params.getInt(KV_HEADS);
        check(ID, ctx.dModel(), heads, kvHeads);
        return new GroupedQueryAttentionBlock(ctx.dModel(), heads, kvHeads, ctx.causal());
    }

    /** Refuses sizes that do not split evenly: heads into d_model, kv_heads into heads. */
    static void check(String id, int dModel, int heads, int kvHeads) {
        Attention.headDim(id, dModel, heads);
        if (kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(id + ": kv_heads " + kvHeads + " does not divide heads " + heads);
        }
    }

    /** Q and O are d x d, K and V d x (kv_heads * d / heads), all with biases. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return GroupedQueryAttentionBlock.parameterCount(ctx.dModel(), params.getInt(HEADS), params.getInt(KV_HEADS));
    }
}
