package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Sigmoid attention: element-wise sigmoid weights with bias -log(n) instead of a row softmax. */
@Extension
public final class SigmoidAttentionComponent implements AttentionComponent {

    static final String ID = "attention.sigmoid";
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
        return "Multi-head attention with element-wise sigmoid weights and bias -log(n) instead of a softmax";
    }

    @Override
    public String reference() {
        return "Theory, Analysis, and Best Practices for Sigmoid Self-Attention (Ramapuram et al., 2024)";
    }

    @Override
    public String notes() {
        return "n in the bias -log(n) is the model's maximum sequence length, not the batch's";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        Attention.headDim(ID, ctx.dModel(), heads);
        return new SigmoidAttentionBlock(ctx.dModel(), heads, ctx.causal(), ctx.maxSequenceLength());
    }

    /** The same Q/K/V/O projections as attention.mha: 4 (d^2 + d). */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return 4 * (d * d + d);
    }
}
