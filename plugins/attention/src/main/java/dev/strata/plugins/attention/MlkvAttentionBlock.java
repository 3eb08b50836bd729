package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.LayerState;
import dev.strata.api.SequenceBlock;

/**
 * One layer of MLKV attention: grouped-query attention whose keys and values may come from an
 * earlier layer of the same forward pass.
 *
 * <ul>
 *   <li>{@link Role#LEADER}: projects K and V ({@code kvHeads} heads) from its own input, uses
 *       them, and stores them in the model's {@link LayerState} under its key.
 *   <li>{@link Role#FOLLOWER}: projects only Q (and O) and reads K/V stored by its leader. The
 *       stored arrays are part of the autograd graph, so the follower's loss trains the leader's
 *       K/V projection.
 *   <li>{@link Role#OWN_KV}: a follower whose leader is not an MLKV layer (a mixed stack); it
 *       projects its own K/V and shares them with nobody, i.e. it is plain grouped-query attention.
 * </ul>
 *
 * The role is fixed at build time by {@link MlkvAttentionComponent}, so the parameter count is
 * known before training and a missing leader is never discovered halfway through a forward pass.
 */
final class MlkvAttentionBlock extends SequenceBlock {

    enum Role { LEADER, FOLLOWER, OWN_KV }

    private final Role role;
    private final int dModel;
    private final int heads;
    private final int kvHeads;
    private final int layerIndex;
    private final boolean causal;
    private final float scale;
    private final LayerState state;
    private final String keyOfK;
    private final String keyOfV;
    private final Linear q;
    private final Linear kv;
    private final Linear out;

    /**
     * @param kvHeads the K/V heads this layer attends with: its own for a leader, its leader's for a follower
     * @param key where the leader stores K/V (leader and followers of one group use the same key)
     */
    MlkvAttentionBlock(Role role, int dModel, int heads, int kvHeads, boolean causal, int layerIndex,
            LayerState state, String key) {
        this.role = role;
        this.dModel = dModel;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.layerIndex = layerIndex;
        this.causal = causal;
        this.scale = (float) (1.0 / Math.sqrt(dModel / heads));
        this.state = state;
        this.keyOfK = key + "/k";
        this.keyOfV = key + "/v";
        this.q = addChildBlock("q", Linear.builder().setUnits(dModel).build());
        // K and V in one d -> 2 * G * Dh linear; followers have none.
        this.kv = role == Role.FOLLOWER ? null
                : addChildBlock("kv", Linear.builder().setUnits(2L * kvHeads * (dModel / heads)).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
    }

    /** Scalars of a layer in this role: Q and O always, the K/V linear unless it is a follower. */
    static long parameterCount(Role role, long dModel, int heads, int kvHeads) {
        long qAndOut = 2 * (dModel + 1) * dModel;
        return role == Role.FOLLOWER ? qAndOut : qAndOut + (dModel + 1) * (2L * kvHeads * (dModel / heads));
    }

    Role role() {
        return role;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray queries = q.forward(store, inputs, training).singletonOrThrow().mul(scale);
        NDArray k;
        NDArray v;
        if (role == Role.FOLLOWER) {
            k = state.get(keyOfK);
            v = state.get(keyOfV);
            if (k == null || v == null) {
                throw new IllegalStateException(MlkvAttentionComponent.ID + ": layer " + layerIndex
                        + " reads keys/values '" + keyOfK + "' that its leader did not store in this forward pass"
                        + " (run the layers in order after LayerState beginForward)");
            }
        } else {
            // K, then V, along the channel axis (DJL's split takes no negative axis).
            NDList split = kv.forward(store, inputs, training).singletonOrThrow().split(2, 2);
            k = split.get(0);
            v = split.get(1);
            if (role == Role.LEADER) {
                state.put(keyOfK, k);
                state.put(keyOfV, v);
            }
        }
        NDArray attended = GroupedQueryAttentionBlock.attendGrouped(queries, k, v, heads, kvHeads,
                Attention.causalMaskOrNull(causal, x, seq));
        return out.forward(store, new NDList(attended.reshape(batch, seq, dModel)), training);
    }
}
