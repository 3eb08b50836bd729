package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Multi-head attention with RMS-normalised queries and keys, which bounds the logits and guards against attention-entropy collapse. */
@Extension
public final class QkNormAttentionComponent implements AttentionComponent {

    static final String ID = "attention.qk_norm";
    static final String HEADS = "heads";
    static final String TEMPERATURE = "temperature";

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
        return "Multi-head attention with RMS-normalised, gained queries and keys and a fixed or learned temperature";
    }

    @Override
    public String reference() {
        return "Query-Key Normalization for Transformers (Henry et al., 2020)";
    }

    @Override
    public String notes() {
        return "fixed temperature is ViT-22B's QK-LayerNorm form (Scaling Vision Transformers to 22 Billion Parameters,"
                + " Dehghani et al., 2023) with RMS norm";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8),
                Dimension.choice(TEMPERATURE, "learned", "learned", "fixed")
                        .describe("logit scale: a learned scalar (init log2(L^2 - L) / head_dim) or fixed 1/sqrt(head_dim)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        int headDim = Attention.headDim(ID, ctx.dModel(), heads);
        float learned = switch (params.getString(TEMPERATURE)) {
            case "learned" -> QkNormAttentionBlock.initialTemperature(ctx.maxSequenceLength(), headDim);
            case "fixed" -> Float.NaN;
            default -> throw new IllegalArgumentException(
                    ID + ": temperature " + params.getString(TEMPERATURE) + " is not learned or fixed");
        };
        return new QkNormAttentionBlock(ctx.dModel(), heads, ctx.causal(), learned);
    }

    /** attention.mha's 4 (d^2 + d), query and key gains (2 d), and 1 for a learned temperature. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return 4 * (d * d + d) + 2 * d + ("learned".equals(params.getString(TEMPERATURE)) ? 1 : 0);
    }
}
