package dev.strata.plugins.mixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/**
 * Mixture-of-experts channel mixer: a linear router picks the top k of E GELU MLP experts per
 * token; the Switch load-balance loss is added in training. See {@link MoeBlock}.
 */
@Extension
public final class MoeComponent implements MixerComponent {

    static final String EXPERTS = "experts";
    static final String TOP_K = "top_k";
    static final String EXPANSION = "expansion";
    static final String BALANCE_WEIGHT = "balance_weight";

    @Override
    public String id() {
        return "mixer.moe";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Mixture of E GELU MLP experts (Linear(d, e*d), Linear(e*d, d)), top-k softmax routing per token, "
                + "Switch load-balance auxiliary loss";
    }

    @Override
    public String reference() {
        return "Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer (Shazeer et al., 2017); "
                + "load-balance loss from Switch Transformers (Fedus et al., 2021)";
    }

    @Override
    public String notes() {
        return "experts are computed densely (every expert on every token, unselected ones weighted 0): cost grows with "
                + "experts * expansion, not top_k; defaults train ~1.8x slower than attention.mha at d 64, n 64 on CPU "
                + "(expansion 4: ~6x); adds balance_weight * load-balance loss in training";
    }

    @Override
    public MixerRole role() {
        return MixerRole.CHANNEL;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(EXPERTS, 4, 2, 16, 2, 4, 8).describe("number of experts E"),
                Dimension.integer(TOP_K, 2, 1, 8, 1, 2).describe("experts each token is routed to; at most experts"),
                Dimension.integer(EXPANSION, 2, 1, 8, 1, 2, 4).describe("hidden width of each expert as a multiple of "
                        + "d_model; 2 by default, as all experts are computed (4 experts x 2 = twice mixer.mlp's width)"),
                Dimension.real(BALANCE_WEIGHT, 0.01, 0.0, 1.0, 0.0, 0.01, 0.1)
                        .describe("weight of the Switch load-balance loss E * sum_i f_i P_i; 0 adds none"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int experts = params.getInt(EXPERTS);
        int topK = params.getInt(TOP_K);
        if (topK > experts) {
            throw new IllegalArgumentException(id() + ": top_k " + topK + " exceeds experts " + experts);
        }
        return new MoeBlock(ctx.dModel(), experts, topK, hidden(ctx, params),
                (float) params.getDouble(BALANCE_WEIGHT), ctx.state());
    }

    /** Router d x E (no bias) plus E experts of (d x h + h) + (h x d + d). */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long h = hidden(ctx, params);
        long e = params.getInt(EXPERTS);
        return d * e + e * ((d * h + h) + (h * d + d));
    }

    private static int hidden(BuildContext ctx, Params params) {
        return Math.multiplyExact(ctx.dModel(), params.getInt(EXPANSION));
    }
}
