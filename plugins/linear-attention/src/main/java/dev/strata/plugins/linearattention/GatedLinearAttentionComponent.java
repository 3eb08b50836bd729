package dev.strata.plugins.linearattention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Gated linear attention (GLA) with a low-rank, data-dependent forget gate per key dimension. */
@Extension
public final class GatedLinearAttentionComponent implements AttentionComponent {

    static final String KEY_EXPANSION = "key_expansion";
    static final String GATE_RANK = "gate_rank";

    @Override
    public String id() {
        return "attention.gla";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Gated linear attention: S_t = diag(alpha_t) S_{t-1} + k_t v_t^T with a low-rank data-dependent forget gate, per-head RMS norm, swish output gate";
    }

    @Override
    public String reference() {
        return "Gated Linear Attention Transformers with Hardware-Efficient Training (Yang et al., 2023)";
    }

    @Override
    public String complexity() {
        return "O(n)";
    }

    @Override
    public String notes() {
        return "trains ~3.2x slower than attention.mha at d 64, n 64 on CPU (block alone; ~1.9x in a 2-layer model); "
                + "always causal (a recurrence; a non-causal task gets the causal form); chunked form with sub-chunks of 8 and a Java loop over chunks; "
                + "chunk-relative log-decays clamped at -30; no projection biases, as in the paper's code; key width = key_expansion * d_model, value width = d_model";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Ops.headsDimension(),
                Ops.chunkDimension(16, ", a multiple of " + GatedLinearAttentionBlock.SUB_CHUNK + " (the sub-chunk)"),
                Dimension.real(KEY_EXPANSION, 0.5, 0.25, 1.0, 0.5, 1.0)
                        .describe("key (and query, gate) width as a fraction of d_model; the paper uses 0.5"),
                Dimension.integer(GATE_RANK, 16, 1, 64, 8, 16, 32)
                        .describe("rank of the forget-gate projection d_model -> rank -> key width; the paper uses 16"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(Ops.HEADS);
        int d = ctx.dModel();
        Ops.requireDivisible(id(), "d_model", d, heads);
        int keyDim = keyDim(id(), d, params.getDouble(KEY_EXPANSION));
        Ops.requireDivisible(id(), "key width", keyDim, heads);
        int chunk = params.getInt(Ops.CHUNK);
        if (chunk % GatedLinearAttentionBlock.SUB_CHUNK != 0) {
            throw new IllegalArgumentException(id() + ": chunk " + chunk + " is not a multiple of " + GatedLinearAttentionBlock.SUB_CHUNK);
        }
        return new GatedLinearAttentionBlock(d, heads, keyDim, params.getInt(GATE_RANK), chunk);
    }

    static int keyDim(String id, int dModel, double expansion) {
        double width = dModel * expansion;
        if (width < 1 || width != Math.rint(width)) {
            throw new IllegalArgumentException(id + ": key_expansion " + expansion + " x d_model " + dModel + " is not a whole width");
        }
        return (int) width;
    }

    /**
     * Fused projection d x (2 Dk + 2 d + r), gate up-projection r x Dk + Dk (bias), output d x d,
     * norm gain d / heads.
     */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long keyDim = keyDim(id(), ctx.dModel(), params.getDouble(KEY_EXPANSION));
        long rank = params.getInt(GATE_RANK);
        long heads = params.getInt(Ops.HEADS);
        return d * (2 * keyDim + 2 * d + rank) + rank * keyDim + keyDim + d * d + d / heads;
    }
}
