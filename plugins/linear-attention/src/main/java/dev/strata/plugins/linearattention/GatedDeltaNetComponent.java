package dev.strata.plugins.linearattention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Gated DeltaNet: the delta rule with a Mamba2-style data-dependent decay. */
@Extension
public final class GatedDeltaNetComponent implements AttentionComponent {

    @Override
    public String id() {
        return "attention.gated_deltanet";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Gated DeltaNet: S_t = S_{t-1} alpha_t (I - beta_t k_t k_t^T) + beta_t v_t k_t^T with a data-dependent decay per head, per-head RMS norm, swish output gate";
    }

    @Override
    public String reference() {
        return "Gated Delta Networks: Improving Mamba2 with Delta Rule (Yang et al., 2024)";
    }

    @Override
    public String complexity() {
        return "O(n)";
    }

    @Override
    public String notes() {
        return "trains ~3.6x slower than attention.mha at d 64, n 64 on CPU (block alone; ~2.5-4x in a 2-layer model); "
                + "always causal (a recurrence; a non-causal task gets the causal form); chunked WY form with a Java loop over chunks; "
                + "chunk-relative log-decays clamped at -30; no short convolution (the paper's extra); value width = d_model";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Ops.headsDimension(), Ops.chunkDimension(16, ", a power of two"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(Ops.HEADS);
        Ops.requireDivisible(id(), "d_model", ctx.dModel(), heads);
        int chunk = params.getInt(Ops.CHUNK);
        Ops.requirePowerOfTwo(id(), chunk);
        return new GatedDeltaNetBlock(ctx.dModel(), heads, chunk);
    }

    /**
     * Fused projection d x (4d + 2 heads), output d x d, A_log and dt_bias (heads each), norm gain
     * d / heads; no biases.
     */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long heads = params.getInt(Ops.HEADS);
        return d * (4 * d + 2 * heads) + d * d + 2 * heads + d / heads;
    }
}
