package dev.strata.plugins.attention;

import dev.strata.testkit.BlockTesting;
import static dev.strata.testkit.BlockTesting.INPUT;
import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Params;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultiHeadAttentionTest {

    private final MultiHeadAttentionComponent mha = new MultiHeadAttentionComponent();
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Params heads(int n) {
        return Params.of(Map.of("heads", n));
    }

    private Block build(boolean causal, int heads) {
        return initialized(mha.build(context(16, causal), heads(heads)), manager, INPUT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void keepsShapeAndDeclaresItsParameters(int heads) {
        BuildContext ctx = context(16, true);
        Block block = build(true, heads);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(INPUT);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(INPUT);
        assertThat(parameterCount(block)).isEqualTo(mha.parameterCount(ctx, heads(heads))).isEqualTo(4 * (16 * 16 + 16));
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 7})
    void causalOutputsDoNotSeeTheFuture(int t) {
        Block block = build(true, 4);
        NDArray x = manager.randomNormal(INPUT);
        NDArray perturbed = x.duplicate();
        perturbed.set(new NDIndex(":, " + (t + 1) + ":, :"), manager.randomNormal(new ai.djl.ndarray.types.Shape(2, 7 - t, 16)).mul(10));
        NDArray before = forward(block, manager, x, false).get(":, :" + (t + 1) + ", :");
        NDArray after = forward(block, manager, perturbed, false).get(":, :" + (t + 1) + ", :");
        assertThat(before.sub(after).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void nonCausalOutputsDoSeeTheFuture() {
        // Guards the causality test itself: without the mask the same perturbation moves position 0.
        Block block = build(false, 2);
        NDArray x = manager.randomNormal(INPUT);
        NDArray perturbed = x.duplicate();
        perturbed.set(new NDIndex(":, 4:, :"), 5f);
        NDArray before = forward(block, manager, x, false).get(":, 0, :");
        NDArray after = forward(block, manager, perturbed, false).get(":, 0, :");
        assertThat(before.sub(after).abs().max().getFloat()).isGreaterThan(1e-3f);
    }

    @Test
    void matchesAHeadByHeadReference() {
        Block block = build(true, 2);
        NDArray x = manager.randomNormal(INPUT);
        NDArray actual = forward(block, manager, x, false);

        var linears = block.getChildren().values();
        NDArray wQkv = linears.get(0).getParameters().get("weight").getArray();
        NDArray bQkv = linears.get(0).getParameters().get("bias").getArray();
        NDArray wOut = linears.get(1).getParameters().get("weight").getArray();
        NDArray bOut = linears.get(1).getParameters().get("bias").getArray();
        NDArray qkv = x.matMul(wQkv.transpose()).add(bQkv); // (B, T, 3D): q, then k, then v
        boolean[] allowed = new boolean[8 * 8];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j <= i; j++) {
                allowed[i * 8 + j] = true;
            }
        }
        NDArray keep = manager.create(allowed, new ai.djl.ndarray.types.Shape(8, 8));
        NDArray minusInf = manager.full(new ai.djl.ndarray.types.Shape(8, 8), Float.NEGATIVE_INFINITY);
        ai.djl.ndarray.NDList heads = new ai.djl.ndarray.NDList();
        for (int h = 0; h < 2; h++) {
            NDArray q = qkv.get(":, :, " + (h * 8) + ":" + (h * 8 + 8));
            NDArray k = qkv.get(":, :, " + (16 + h * 8) + ":" + (16 + h * 8 + 8));
            NDArray v = qkv.get(":, :, " + (32 + h * 8) + ":" + (32 + h * 8 + 8));
            NDArray scores = q.batchMatMul(k.transpose(0, 2, 1)).div(Math.sqrt(8));
            scores = ai.djl.ndarray.NDArrays.where(keep.broadcast(scores.getShape()), scores, minusInf.broadcast(scores.getShape()));
            heads.add(scores.softmax(-1).batchMatMul(v));
        }
        NDArray expected = ai.djl.ndarray.NDArrays.concat(heads, -1).matMul(wOut.transpose()).add(bOut);
        assertThat(actual.sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void staysFiniteOnLargeInputs() {
        Block block = build(true, 4);
        NDArray y = forward(block, manager, manager.randomNormal(INPUT).mul(1e4f), false);
        assertThat(y.isNaN().any().getBoolean()).isFalse();
        assertThat(y.isInfinite().any().getBoolean()).isFalse();
    }

    @Test
    void refusesHeadsThatDoNotDivideTheWidth() {
        assertThatThrownBy(() -> mha.build(context(60, true), heads(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.mha: d_model 60 is not divisible by heads 8");
    }

    @Test
    void describesItself() {
        assertThat(mha.id()).isEqualTo("attention.mha");
        assertThat(mha.kind()).isEqualTo(ComponentKind.ATTENTION);
        assertThat(mha.complexity()).isEqualTo("O(n^2)");
        assertThat(mha.dimensions().getFirst().searchValues()).containsExactly(1, 2, 4);
    }
}
