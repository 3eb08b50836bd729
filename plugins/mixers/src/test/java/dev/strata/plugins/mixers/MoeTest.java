package dev.strata.plugins.mixers;

import static dev.strata.testkit.BlockTesting.INPUT;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.testkit.BlockTesting;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MoeTest {

    private final MoeComponent moe = new MoeComponent();
    private NDManager manager;
    private MapLayerState state;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        state = new MapLayerState();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Params params(int experts, int topK, double balanceWeight) {
        return Params.of(Map.of("experts", experts, "top_k", topK, "expansion", 2, "balance_weight", balanceWeight));
    }

    private BuildContext ctx(int d) {
        return new BuildContext(d, 8, true, 0, 1, state);
    }

    private MoeBlock build(int d, Params params, Shape input) {
        return (MoeBlock) initialized(moe.build(ctx(d), params), manager, input);
    }

    private static NDArray param(Block block, String name) {
        return block.getDirectParameters().get(name).getArray();
    }

    @ParameterizedTest
    @CsvSource({"4, 2", "4, 1", "3, 3", "8, 2"})
    void declaresItsParameters(int experts, int topK) {
        Params p = params(experts, topK, 0.01);
        Block block = build(16, p, INPUT);
        long d = 16;
        long h = 32;
        assertThat(parameterCount(block)).isEqualTo(moe.parameterCount(ctx(16), p))
                .isEqualTo(d * experts + experts * (2 * d * h + h + d));
    }

    @Test
    void theLoadBalanceLossIsOneForUniformRoutingAndAddedOnlyInTraining() {
        MoeBlock block = build(16, params(4, 2, 1.0), INPUT);
        ReferenceFormsTest.child(block, "router").getParameters().get("weight").getArray().set(new float[4 * 16]);
        NDArray x = manager.randomNormal(INPUT);
        state.beginForward(x);
        forward(block, manager, x, false);
        assertThat(state.auxiliaryLosses()).as("inference adds no loss").isEmpty();
        forward(block, manager, x, true);
        assertThat(state.auxiliaryLosses()).hasSize(1);
        NDArray loss = state.auxiliaryLosses().getFirst();
        assertThat(loss.getShape().size()).isEqualTo(1);
        // P_i = 1/E for every expert, so E * sum_i f_i / E = sum_i f_i = 1 whatever the ties chose.
        assertThat(loss.getFloat()).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void theLoadBalanceLossIsWeightedAndNearOneForARandomRouter() {
        MoeBlock block = build(16, params(4, 2, 0.01), INPUT);
        NDArray x = manager.randomNormal(INPUT);
        state.beginForward(x);
        forward(block, manager, x, true);
        float weighted = state.auxiliaryLosses().getFirst().getFloat();
        assertThat(weighted).isBetween(0.005f, 0.04f);
        // Perfectly balanced by hand: f = P = 1/E gives exactly 1.
        NDArray uniform = manager.full(new Shape(2, 8, 4), 0.25f);
        NDArray halfChosen = manager.create(new float[] {1, 1, 0, 0, 0, 0, 1, 1}, new Shape(1, 2, 4));
        float loss = block.balanceLoss(new MoeBlock.Routing(halfChosen, uniform, uniform)).getFloat();
        assertThat(loss).isCloseTo(1f, within(1e-6f));
        // Everything on expert 0 with P concentrated there gives E.
        NDArray collapsed = manager.create(new float[] {1, 0, 0, 0}, new Shape(1, 1, 4));
        assertThat(new MoeComponent().build(ctx(16), params(4, 1, 0.01)) instanceof MoeBlock m
                ? m.balanceLoss(new MoeBlock.Routing(collapsed, collapsed, collapsed)).getFloat() : 0f).isCloseTo(4f, within(1e-6f));
        state.beginForward(x);
        MoeBlock silent = build(16, params(4, 2, 0.0), INPUT);
        forward(silent, manager, x, true);
        assertThat(state.auxiliaryLosses()).as("balance_weight 0 adds nothing").isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"4, 2", "4, 1", "5, 3", "4, 4"})
    void topKGatesSumToOneAndPickTheLargestLogits(int experts, int topK) {
        MoeBlock block = build(16, params(experts, topK, 0.01), INPUT);
        NDArray logits = manager.randomNormal(new Shape(2, 8, experts));
        MoeBlock.Routing r = block.route(logits);
        float[] l = logits.toFloatArray();
        float[] chosen = r.chosen().toFloatArray();
        float[] gates = r.gates().toFloatArray();
        float[] p = r.probabilities().toFloatArray();
        for (int t = 0; t < 16; t++) {
            float sum = 0;
            float minChosen = Float.MAX_VALUE;
            float maxOther = -Float.MAX_VALUE;
            int count = 0;
            float chosenProbability = 0;
            for (int e = 0; e < experts; e++) {
                int i = t * experts + e;
                sum += gates[i];
                if (chosen[i] == 1f) {
                    count++;
                    minChosen = Math.min(minChosen, l[i]);
                    chosenProbability += p[i];
                    assertThat(gates[i]).isGreaterThan(0f);
                } else {
                    assertThat(chosen[i]).isEqualTo(0f);
                    assertThat(gates[i]).isEqualTo(0f);
                    maxOther = Math.max(maxOther, l[i]);
                }
            }
            assertThat(count).isEqualTo(topK);
            assertThat(minChosen).isGreaterThanOrEqualTo(maxOther);
            // k >= 2 renormalises over the chosen; k = 1 keeps Switch's raw probability.
            assertThat(sum).isCloseTo(topK == 1 ? chosenProbability : 1f, within(1e-5f));
        }
    }

    @Test
    void tiesGoToTheLowerExpertIndex() {
        MoeBlock block = build(16, params(4, 2, 0.01), INPUT);
        NDArray logits = manager.create(new float[] {0, 0, 0, 0, 1, 3, 3, 0, 2, 1, 2, 2}, new Shape(1, 3, 4));
        assertThat(block.route(logits).chosen().toFloatArray())
                .containsExactly(1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0);
        MoeBlock top1 = build(16, params(4, 1, 0.01), INPUT);
        assertThat(top1.route(logits).chosen().toFloatArray()).containsExactly(1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0);
    }

    @ParameterizedTest
    @CsvSource({"4, 2", "4, 1", "3, 3"})
    void matchesAPerTokenReference(int experts, int topK) {
        Shape small = new Shape(2, 4, 8);
        MoeBlock block = build(8, params(experts, topK, 0.01), small);
        NDArray x = manager.randomNormal(small);
        NDArray actual = forward(block, manager, x, false).reshape(8, 8);

        NDArray tokens = x.reshape(8, 8);
        float[] logits = tokens.matMul(ReferenceFormsTest.child(block, "router").getParameters().get("weight").getArray().transpose())
                .toFloatArray();
        NDArray up = param(block, "up_weight");
        NDArray upBias = param(block, "up_bias");
        NDArray down = param(block, "down_weight");
        NDArray downBias = param(block, "down_bias");
        float[][] expertOut = new float[experts][];
        for (int e = 0; e < experts; e++) {
            NDArray h = ai.djl.nn.Activation.gelu(tokens.matMul(up.get(":, " + e + ", :")).add(upBias.get(e)));
            expertOut[e] = h.matMul(down.get(e)).add(downBias.get(e)).toFloatArray();
        }
        float[] expected = new float[8 * 8];
        for (int t = 0; t < 8; t++) {
            final int token = t;
            Integer[] order = IntStream.range(0, experts).boxed().toArray(Integer[]::new);
            // Stable sort: equal logits keep the lower index first.
            Arrays.sort(order, Comparator.comparingDouble(e -> -logits[token * experts + e]));
            double max = logits[t * experts + order[0]];
            double all = 0;
            for (int e = 0; e < experts; e++) all += Math.exp(logits[t * experts + e] - max);
            double chosen = 0;
            for (int j = 0; j < topK; j++) chosen += Math.exp(logits[t * experts + order[j]] - max);
            for (int j = 0; j < topK; j++) {
                int e = order[j];
                double w = Math.exp(logits[t * experts + e] - max) / (topK == 1 ? all : chosen);
                for (int c = 0; c < 8; c++) expected[t * 8 + c] += (float) (w * expertOut[e][t * 8 + c]);
            }
        }
        NDArray reference = manager.create(expected, new Shape(8, 8));
        float error = actual.sub(reference).abs().max().getFloat() / reference.abs().max().getFloat();
        assertThat(error).isLessThan(1e-4f);
    }

    @Test
    void gradientsReachTheRouterAndEveryExpert() {
        MoeBlock block = build(16, params(4, 2, 0.01), INPUT);
        NDArray x = manager.randomNormal(INPUT);
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
        for (String name : new String[] {"up_weight", "up_bias", "down_weight", "down_bias"}) {
            NDArray grad = param(block, name).getGradient();
            for (int e = 0; e < 4; e++) {
                NDArray slice = name.equals("up_weight") ? grad.get(":, " + e + ", :") : grad.get(e); // up_weight is (d, E, h)
                assertThat(slice.abs().sum().getFloat()).as("%s of expert %d", name, e).isGreaterThan(0f);
            }
        }
        // The balance loss alone reaches the router (through P_i).
        state.beginForward(x);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            forward(block, manager, x, true);
            collector.backward(state.auxiliaryLosses().getFirst());
        }
        NDArray routerGrad = ReferenceFormsTest.child(block, "router").getParameters().get("weight").getArray().getGradient();
        assertThat(routerGrad.abs().sum().getFloat()).isGreaterThan(0f);
    }

    @Test
    void refusesMoreChosenExpertsThanThereAre() {
        assertThatThrownBy(() -> moe.build(ctx(16), params(2, 3, 0.01)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mixer.moe: top_k 3 exceeds experts 2");
    }
}
