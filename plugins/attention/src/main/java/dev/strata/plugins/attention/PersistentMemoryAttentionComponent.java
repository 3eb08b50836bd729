package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Attention over the sequence plus learned persistent key/value slots that every position can read. */
@Extension
public final class PersistentMemoryAttentionComponent implements AttentionComponent {

    static final String ID = "attention.persistent_memory";
    static final String HEADS = "heads";
    static final String MEMORY = "memory";

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
        return "Multi-head attention whose keys and values are extended by learned input-independent persistent memory slots";
    }

    @Override
    public String reference() {
        return "Augmenting Self-attention with Persistent Memory (Sukhbaatar et al., 2019)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8),
                Dimension.integer(MEMORY, 16, 1, 1024, 4, 16, 64)
                        .describe("persistent key/value vectors per head, visible to every position"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        int memory = params.getInt(MEMORY);
        Attention.headDim(ID, ctx.dModel(), heads);
        if (memory < 1) {
            throw new IllegalArgumentException(ID + ": memory " + memory + " must be at least 1");
        }
        return new PersistentMemoryAttentionBlock(ctx.dModel(), heads, memory, ctx.causal());
    }

    /** attention.mha's 4 (d^2 + d) plus memory keys and values: 2 * memory * d. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        return 4 * (d * d + d) + 2L * params.getInt(MEMORY) * d;
    }
}
