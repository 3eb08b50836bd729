package dev.strata.plugins.attention;

import ai.djl.nn.Block;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.plugins.attention.MlkvAttentionBlock.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * MLKV: grouped-query attention whose key/value heads are also shared across consecutive layers.
 *
 * <p>Layers are grouped by index: layer i belongs to the group led by layer
 * {@code i - i % share_every}. The leader projects K/V and stores them for the forward pass under
 * {@code "attention.mlkv/kv/<leader index>"}; the other layers of the group project only Q and O
 * and attend over the leader's K/V.
 *
 * <p>Who leads is decided at build time, because the model builds its layers in order: each leader
 * records its K/V layout in the model's build-time state ({@code LayerState.shared}), and a
 * follower looks its leader up there. A follower whose leader is not an MLKV layer (a mixed stack,
 * say {@code attention.mha} at layer 0), or whose leader's K/V heads it cannot use (another head
 * width, or K/V heads that do not divide its query heads), projects its own K/V instead, i.e. it
 * becomes plain grouped-query attention. So {@link #parameterCount} depends on the layer index and
 * on the layers built before it with the same state.
 */
@Extension
public final class MlkvAttentionComponent implements AttentionComponent {

    static final String ID = "attention.mlkv";
    static final String HEADS = "heads";
    static final String KV_HEADS = "kv_heads";
    static final String SHARE_EVERY = "share_every";

    /** Key of the build-time map: leader layer index -> the K/V layout it stores. */
    static final String LEADERS = ID + "/leaders";

    /** What a leader stores: {@code kvHeads} heads of width {@code headDim}. */
    record KvLayout(int kvHeads, int headDim) {}

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
        return "Multi-layer key-value sharing: grouped-query attention reusing the keys/values of the group's first layer";
    }

    @Override
    public String reference() {
        return "MLKV: Multi-Layer Key-Value Heads for Memory Efficient Transformer Decoding (Zuhri et al., 2024)";
    }

    @Override
    public String notes() {
        return "layers i with i % share_every != 0 reuse the K/V of layer i - i % share_every when that layer is"
                + " attention.mlkv with a compatible head layout, otherwise they project their own";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Attention.headsDimension(4, 2, 4, 8),
                Dimension.integer(KV_HEADS, 1, 1, 64, 1, 2)
                        .describe("key/value heads of a group's leader; must divide heads"),
                Dimension.integer(SHARE_EVERY, 2, 1, 64, 2, 3, 4)
                        .describe("consecutive layers sharing one leader's keys/values (1: no sharing across layers)"));
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        Plan plan = plan(ctx, params);
        if (plan.role() == Role.LEADER) {
            leaders(ctx).put(ctx.layerIndex(), new KvLayout(plan.kvHeads(), ctx.dModel() / params.getInt(HEADS)));
        }
        return new MlkvAttentionBlock(plan.role(), ctx.dModel(), params.getInt(HEADS), plan.kvHeads(), ctx.causal(),
                ctx.layerIndex(), ctx.state(), ID + "/kv/" + plan.leader());
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        Plan plan = plan(ctx, params);
        return MlkvAttentionBlock.parameterCount(plan.role(), ctx.dModel(), params.getInt(HEADS), plan.kvHeads());
    }

    /** This layer's role, the K/V heads it attends with, and the index of its group's leader. */
    private record Plan(Role role, int kvHeads, int leader) {}

    private static Plan plan(BuildContext ctx, Params params) {
        int heads = params.getInt(HEADS);
        int kvHeads = params.getInt(KV_HEADS);
        int shareEvery = params.getInt(SHARE_EVERY);
        GroupedQueryAttentionComponent.check(ID, ctx.dModel(), heads, kvHeads);
        if (shareEvery < 1) {
            throw new IllegalArgumentException(ID + ": share_every " + shareEvery + " must be at least 1");
        }
        int layer = ctx.layerIndex();
        int leader = layer - layer % shareEvery;
        if (leader == layer) {
            return new Plan(Role.LEADER, kvHeads, layer);
        }
        KvLayout stored = leaders(ctx).get(leader);
        int headDim = ctx.dModel() / heads;
        if (stored != null && stored.headDim() == headDim && heads % stored.kvHeads() == 0) {
            return new Plan(Role.FOLLOWER, stored.kvHeads(), leader);
        }
        return new Plan(Role.OWN_KV, kvHeads, leader);
    }

    private static Map<Integer, KvLayout> leaders(BuildContext ctx) {
        return ctx.state().shared(LEADERS, HashMap::new);
    }
}
