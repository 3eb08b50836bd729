package dev.strata.plugins.attention;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.api.BuildContext;
import dev.strata.api.SequenceComponent;
import dev.strata.testkit.BlockTesting;
import org.junit.jupiter.api.Test;

/** Impossible sizes are refused with one line naming the component and the values. */
class RefusalTest {

    private static void refuses(SequenceComponent c, int dModel, String message, Object... overrides) {
        BuildContext ctx = BlockTesting.context(dModel, true);
        assertThatThrownBy(() -> c.build(ctx, Components.params(c, overrides)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void headsMustDivideTheWidth() {
        for (SequenceComponent c : Components.all()) {
            if (c instanceof DifferentialAttentionComponent) continue;
            refuses(c, 60, c.id() + ": d_model 60 is not divisible by heads 8", "heads", 8);
        }
        refuses(new DifferentialAttentionComponent(), 24, "attention.differential: d_model 24 is not divisible by 2 * heads (heads 8)",
                "heads", 8);
        refuses(new DifferentialAttentionComponent(), 12, "attention.differential: d_model 12 is not divisible by 2 * heads (heads 4)",
                "heads", 4);
    }

    @Test
    void kvHeadsMustDivideHeads() {
        refuses(new GroupedQueryAttentionComponent(), 32, "attention.gqa: kv_heads 3 does not divide heads 4", "heads", 4, "kv_heads", 3);
        refuses(new GroupedQueryAttentionComponent(), 32, "attention.gqa: kv_heads 8 does not divide heads 4", "heads", 4, "kv_heads", 8);
    }

    @Test
    void windowsAndMemoriesMustBePositive() {
        refuses(new SlidingWindowAttentionComponent(), 32, "attention.sliding_window: window 0 must be at least 1", "window", 0);
        refuses(new PersistentMemoryAttentionComponent(), 32, "attention.persistent_memory: memory 0 must be at least 1", "memory", 0);
    }
}
