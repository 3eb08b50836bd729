package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Multi-head attention restricted to a local window around each position (causal: a trailing window). */
@Extension
public final class SlidingWindowAttentionComponent implements AttentionComponent {

    static final String ID = "attention.sliding_window";
    static final String HEADS = "heads";
    static final String WINDOW = "window";

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
        return "Sliding-window multi-head attention: each position attends to the window nearest positions";
    }

    @Override
    public String reference() {
        return "Longformer: The Long-Document Transformer (Beltagy et al., 2020)";
    }

    @Override
    public String complexity() {
        return "O(n w)";
    }

    @Override
    public String notes() {
        return "computed as a banded mask over the full n x n scores (O(n^2) time and memory at these lengths);"
                + " a window of at least the sequence length is plain attention";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8),
                Dimension.integer(WINDOW, 16, 1, 4096, 4, 8, 16, 32, 64)
                        .describe("positions each query sees, itself included (causal: trailing; otherwise window - 1 each side)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        int window = params.getInt(WINDOW);
        Attention.headDim(ID, ctx.dModel(), heads);
        if (window < 1) {
            throw new IllegalArgumentException(ID + ": window " + window + " must be at least 1");
        }
        return new SlidingWindowAttentionBlock(ctx.dModel(), heads, window, ctx.causal());
    }

    /** The same Q/K/V/O projections as attention.mha: 4 (d^2 + d). */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return 4 * (d * d + d);
    }
}
