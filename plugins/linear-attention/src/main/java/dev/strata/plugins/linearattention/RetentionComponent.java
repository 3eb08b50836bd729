package dev.strata.plugins.linearattention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Multi-scale retention (RetNet). */
@Extension
public final class RetentionComponent implements AttentionComponent {

    static final String VALUE_FACTOR = "value_factor";

    @Override
    public String id() {
        return "attention.retention";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Multi-scale retention: per-head decay gamma_h = 1 - 2^(-5-h), rotary q/k, (QK^T * D)V chunkwise, group norm per head, swish gate";
    }

    @Override
    public String reference() {
        return "Retentive Network: A Successor to Transformer for Large Language Models (Sun et al., 2023)";
    }

    @Override
    public String complexity() {
        return "O(n)";
    }

    @Override
    public String notes() {
        return "trains ~2.4x slower than attention.mha at d 64, n 64 on CPU (block alone, value_factor 2; ~2.5x in a 2-layer model); "
                + "always causal (decay mask; a non-causal task gets the causal form); chunkwise form, O(n) (the parallel form would be O(n^2)); "
                + "the paper's per-row score normalisations are left out (the group norm cancels them); value width = value_factor * d_model";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Ops.headsDimension(),
                Ops.chunkDimension(32, ""),
                Dimension.integer(VALUE_FACTOR, 2, 1, 2, 1, 2)
                        .describe("value and gate width as a multiple of d_model; the paper uses 2"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(Ops.HEADS);
        int d = ctx.dModel();
        Ops.requireDivisible(id(), "d_model", d, heads);
        if ((d / heads) % 2 != 0) {
            throw new IllegalArgumentException(id() + ": head_dim " + (d / heads) + " (d_model " + d + ", heads " + heads
                    + ") is odd; rotary positions need an even head_dim");
        }
        return new RetentionBlock(d, heads, params.getInt(VALUE_FACTOR) * d, params.getInt(Ops.CHUNK));
    }

    /** Fused projection d x (2d + 2 dv), output dv x d, group-norm gain and bias 2 dv; no biases. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long dv = params.getInt(VALUE_FACTOR) * d;
        return d * (2 * d + 2 * dv) + dv * d + 2 * dv;
    }
}
