package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Talking-heads attention: multi-head attention with learned head mixing before and after the softmax. */
@Extension
public final class TalkingHeadsAttentionComponent implements AttentionComponent {

    static final String ID = "attention.talking_heads";
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
        return "Talking-heads attention: learned H x H head mixing of the logits before and of the weights after the softmax";
    }

    @Override
    public String reference() {
        return "Talking-Heads Attention (Shazeer et al., 2020)";
    }

    @Override
    public String notes() {
        return "trains ~3.5-4.5x slower than attention.mha at d 64, n 64 on CPU (1 thread): two H x H mixings over the"
                + " n x n attention maps, forward and backward";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        Attention.headDim(ID, ctx.dModel(), heads);
        return new TalkingHeadsAttentionBlock(ctx.dModel(), heads, ctx.causal());
    }

    /** attention.mha's 4 (d^2 + d) plus two H x H mixing matrices. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long h = params.getInt(HEADS);
        return 4 * (d * d + d) + 2 * h * h;
    }
}
