package dev.strata.plugins.attention;

import static dev.strata.plugins.attention.Reference.allowed;
import static dev.strata.plugins.attention.Reference.assertClose;
import static dev.strata.plugins.attention.Reference.channels;
import static dev.strata.plugins.attention.Reference.linear;
import static dev.strata.plugins.attention.Reference.maskedSoftmax;
import static dev.strata.plugins.attention.Reference.scores;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.plugins.attention.MlkvAttentionBlock.Role;
import dev.strata.testkit.BlockTesting;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MLKV on hand-made stacks: who leads, what each layer owns, and that followers use and train the leader's K/V. */
class MlkvAttentionTest {

    private static final int D = 16;
    private static final int T = 8;
    private static final Shape INPUT = new Shape(2, T, D);

    private final MlkvAttentionComponent mlkv = new MlkvAttentionComponent();
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Params params(int heads, int kvHeads, int shareEvery) {
        return Params.of(java.util.Map.of("heads", heads, "kv_heads", kvHeads, "share_every", shareEvery));
    }

    private static List<Role> roles(Stack s) {
        List<Role> roles = new ArrayList<>();
        for (Block b : s.layers) {
            roles.add(b instanceof MlkvAttentionBlock m ? m.role() : null);
        }
        return roles;
    }

    @Test
    void leadersAreEveryShareEveryThLayer() {
        Stack s = Stack.repeat(mlkv, params(4, 1, 2), 4, D, T, true);
        assertThat(roles(s)).containsExactly(Role.LEADER, Role.FOLLOWER, Role.LEADER, Role.FOLLOWER);
        s = Stack.repeat(mlkv, params(4, 2, 3), 4, D, T, true);
        assertThat(roles(s)).containsExactly(Role.LEADER, Role.FOLLOWER, Role.FOLLOWER, Role.LEADER);
        s = Stack.repeat(mlkv, params(4, 2, 1), 3, D, T, true);
        assertThat(roles(s)).containsOnly(Role.LEADER);
    }

    @Test
    void parameterCountDependsOnTheLayer() {
        Stack s = Stack.repeat(mlkv, params(4, 2, 3), 4, D, T, true).initialized(manager, INPUT);
        long qAndOut = 2L * (D * D + D);
        long kv = (D + 1) * (2L * 2 * (D / 4));
        assertThat(parameterCount(s)).isEqualTo(s.declared).isEqualTo(2 * (qAndOut + kv) + 2 * qAndOut);
        for (int i = 0; i < 4; i++) {
            BuildContext ctx = new BuildContext(D, T, true, i, 4, s.state);
            assertThat(parameterCount(s.layers.get(i))).as("layer %d", i).isEqualTo(mlkv.parameterCount(ctx, params(4, 2, 3)));
        }
    }

    @Test
    void aFollowerAttendsOverItsLeadersKeysAndValues() {
        Stack s = Stack.repeat(mlkv, params(4, 2, 2), 2, D, T, true).initialized(manager, INPUT);
        Reference.jiggle(s, manager);
        Block leader = s.layers.get(0);
        Block follower = s.layers.get(1);
        NDArray x = manager.randomNormal(INPUT);
        NDArray y0 = forward(leader, manager, x, false);
        NDArray y1 = forward(s, manager, x, false);

        // Reference: the follower's queries from its own input y0, keys and values from the leader's input x.
        NDArray kv = linear(x, leader, "kv");
        NDArray q = linear(y0, follower, "q");
        int dh = D / 4;
        NDArray keep = allowed(manager, T, T, (i, j) -> j <= i);
        List<NDArray> heads = new ArrayList<>();
        for (int h = 0; h < 4; h++) {
            int g = h / 2;
            NDArray k = channels(kv, (long) g * dh, (long) (g + 1) * dh);
            NDArray v = channels(kv, 2L * dh + (long) g * dh, 2L * dh + (long) (g + 1) * dh);
            heads.add(maskedSoftmax(scores(channels(q, (long) h * dh, (long) (h + 1) * dh), k).div(Math.sqrt(dh)), keep).batchMatMul(v));
        }
        assertClose(y1, linear(NDArrays.concat(new NDList(heads), -1), follower, "out"));
    }

    @Test
    void aFollowersLossTrainsTheLeadersKeyValueProjection() {
        Stack s = Stack.repeat(mlkv, params(4, 1, 2), 2, D, T, true).initialized(manager, INPUT);
        Block leader = s.layers.get(0);
        Block follower = s.layers.get(1);
        NDArray x = manager.randomNormal(INPUT);
        ParameterStore store = new ParameterStore(manager, false);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            s.state.beginForward(x);
            leader.forward(store, new NDList(x), true);
            // The follower gets x, not the leader's output: its only path to the leader is the stored K/V.
            NDArray y = follower.forward(store, new NDList(x), true).singletonOrThrow();
            collector.backward(y.mul(manager.randomNormal(y.getShape())).sum());
        }
        assertThat(Reference.param(leader, "kv_weight").getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        assertThat(Reference.param(leader, "kv_bias").getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        assertThat(Reference.param(leader, "q_weight").getGradient().abs().sum().getFloat()).isZero();
        assertThat(Reference.param(leader, "out_weight").getGradient().abs().sum().getFloat()).isZero();
        assertThat(Reference.param(follower, "q_weight").getGradient().abs().sum().getFloat()).isGreaterThan(0f);
    }

    @Test
    void threeAndFourLayerStacksAreCausalAndTrainEveryParameter() {
        for (int depth : new int[] {3, 4}) {
            Stack s = Stack.repeat(mlkv, params(4, 2, 2), depth, D, T, true).initialized(manager, INPUT);
            NDArray x = manager.randomNormal(INPUT);
            BlockTesting.assertCausal(s, manager, x);
            BlockTesting.assertGradientsReachEveryParameter(s, manager, x);
        }
    }

    @Test
    void aFollowerWithoutAnMlkvLeaderProjectsItsOwnKeysAndValues() {
        // Mixed stack: attention.mha at layer 0, so layer 1 (a follower by index) has no leader.
        Params p = params(4, 2, 2);
        Stack s = Stack.build(D, T, true, List.of(
                new Stack.Layer(new MultiHeadAttentionComponent(), Params.of(java.util.Map.of("heads", 4))),
                new Stack.Layer(mlkv, p),
                new Stack.Layer(mlkv, p))).initialized(manager, INPUT);
        assertThat(roles(s)).containsExactly(null, Role.OWN_KV, Role.LEADER);
        assertThat(parameterCount(s)).isEqualTo(s.declared);
        BlockTesting.assertGradientsReachEveryParameter(s, manager, manager.randomNormal(INPUT));
        BlockTesting.assertCausal(s, manager, manager.randomNormal(INPUT));
    }

    @Test
    void aFollowerAdoptsACompatibleLeadersKeyValueHeadsAndRefusesAnIncompatibleOne() {
        // Same head width, leader's 1 K/V head divides the follower's 4 query heads: it follows.
        Stack s = Stack.build(D, T, true, List.of(new Stack.Layer(mlkv, params(4, 1, 2)), new Stack.Layer(mlkv, params(4, 2, 2))))
                .initialized(manager, INPUT);
        assertThat(roles(s)).containsExactly(Role.LEADER, Role.FOLLOWER);
        assertThat(parameterCount(s)).isEqualTo(s.declared);
        assertThat(forward(s, manager, manager.randomNormal(INPUT), true).getShape()).isEqualTo(INPUT);
        // Leader heads 2 (width 8), follower heads 4 (width 4): the leader's K/V do not fit.
        s = Stack.build(D, T, true, List.of(new Stack.Layer(mlkv, params(2, 1, 2)), new Stack.Layer(mlkv, params(4, 1, 2))))
                .initialized(manager, INPUT);
        assertThat(roles(s)).containsExactly(Role.LEADER, Role.OWN_KV);
        assertThat(parameterCount(s)).isEqualTo(s.declared);
        assertThat(forward(s, manager, manager.randomNormal(INPUT), true).getShape()).isEqualTo(INPUT);
    }

    @Test
    void aFollowerRunWithoutItsLeaderSaysSo() {
        Stack s = Stack.repeat(mlkv, params(4, 1, 2), 2, D, T, true).initialized(manager, INPUT);
        s.state.beginForward(manager.randomNormal(INPUT));
        assertThatThrownBy(() -> forward(s.layers.get(1), manager, manager.randomNormal(INPUT), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("attention.mlkv: layer 1 reads keys/values 'attention.mlkv/kv/0/k'");
    }

    @Test
    void keysIdentifyTheGroupsLeader() {
        Stack s = Stack.repeat(mlkv, params(4, 1, 2), 4, D, T, true).initialized(manager, INPUT);
        forward(s, manager, manager.randomNormal(INPUT), false);
        assertThat(s.state.get("attention.mlkv/kv/0/k")).isNotNull();
        assertThat(s.state.get("attention.mlkv/kv/2/v")).isNotNull();
        assertThat(s.state.get("attention.mlkv/kv/1/k")).isNull();
        assertThat(s.state.get("attention.mlkv/kv/0/k").getDataType()).isEqualTo(DataType.FLOAT32);
    }

    @Test
    void refusesSizesThatDoNotSplit() {
        BuildContext ctx = new BuildContext(D, T, true, 0, 1, new MapLayerState());
        assertThatThrownBy(() -> mlkv.build(ctx, params(3, 1, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.mlkv: d_model 16 is not divisible by heads 3");
        assertThatThrownBy(() -> mlkv.build(ctx, params(4, 3, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.mlkv: kv_heads 3 does not divide heads 4");
        assertThatThrownBy(() -> mlkv.build(ctx, params(4, 1, 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.mlkv: share_every 0 must be at least 1");
    }
}
