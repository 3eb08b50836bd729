package dev.strata.plugins.norms;

import static dev.strata.testkit.BlockTesting.INPUT;
import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import dev.strata.testkit.BlockTesting;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NewNormsTest {

    private static final int[] LAST = {-1};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Stream<NormComponent> norms() {
        return Stream.of(new ScaleNormComponent(), new DynamicTanhComponent(), new CompressedRmsNormComponent(),
                new IdentityNormComponent(), new DerfComponent());
    }

    static Params defaults(NormComponent c) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : c.dimensions()) values.put(d.name(), d.defaultValue());
        return Params.of(values);
    }

    private Block build(NormComponent norm, int d) {
        return initialized(norm.build(context(d, true), defaults(norm)), manager, new Shape(2, 8, d));
    }

    private static float relativeError(NDArray actual, NDArray expected) {
        return actual.sub(expected).abs().max().getFloat() / Math.max(1e-6f, expected.abs().max().getFloat());
    }

    @ParameterizedTest
    @MethodSource("norms")
    void keepsShapeDeclaresItsParametersAndPassesGradients(NormComponent norm) {
        BuildContext ctx = context(16, true);
        Block block = build(norm, 16);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(INPUT);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(INPUT);
        assertThat(parameterCount(block)).isEqualTo(norm.parameterCount(ctx, defaults(norm)));
        // As the conformance kit does: the input takes gradients too (norm.none has nothing else).
        x.setRequiresGradient(true);
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
        assertThat(x.getGradient().abs().sum().getFloat()).as("gradient of the input").isGreaterThan(0f);
    }

    @ParameterizedTest
    @MethodSource("norms")
    void worksPerPosition(NormComponent norm) {
        Block block = build(norm, 16);
        NDArray x = manager.randomNormal(INPUT);
        BlockTesting.assertCausal(block, manager, x);
        NDArray changed = x.duplicate();
        changed.set(new NDIndex(":, :5, :"), 7f);
        NDArray a = forward(block, manager, x, false).get(":, 5:, :");
        NDArray b = forward(block, manager, changed, false).get(":, 5:, :");
        assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-6f);
    }

    @ParameterizedTest
    @MethodSource("norms")
    void staysFiniteOnLargeInputs(NormComponent norm) {
        Block block = build(norm, 16);
        NDArray x = manager.randomNormal(INPUT);
        for (float scale : new float[] {100f, 1000f, 1e6f}) {
            for (boolean training : new boolean[] {true, false}) {
                NDArray y = forward(block, manager, x.mul(scale), training);
                assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).as("x%s", scale).isFalse();
            }
        }
        // All-zero positions (padding, say) stay finite too: eps is inside the square root.
        NDArray y = forward(block, manager, manager.zeros(INPUT), true);
        assertThat(y.isNaN().any().getBoolean()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("norms")
    void theSameSeedGivesTheSameOutputs(NormComponent norm) {
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] outputs = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            Engine.getInstance().setRandomSeed(11);
            outputs[i] = forward(build(norm, 16), manager, x, false);
        }
        assertThat(outputs[0].sub(outputs[1]).abs().max().getFloat()).isEqualTo(0f);
    }

    @ParameterizedTest
    @MethodSource("norms")
    void describesItself(NormComponent norm) {
        assertThat(norm.id()).matches("norm\\.[a-z]+");
        assertThat(norm.kind()).isEqualTo(ComponentKind.NORM);
        assertThat(norm.version()).isEqualTo("1.0");
        assertThat(norm.causalSafe()).isTrue();
        assertThat(norm.complexity()).isEqualTo("O(n)");
        assertThat(norm.reference()).matches(".*\\(.* \\d{4}\\).*");
        assertThat(norm.dimensions()).allSatisfy(d -> assertThat(d.description()).isNotBlank());
        for (int d : new int[] {32, 64}) {
            BuildContext ctx = new BuildContext(d, 256, true, 0, 1, new BlockTesting.MapLayerState());
            Block block = initialized(norm.build(ctx, defaults(norm)), manager, new Shape(1, 4, d));
            assertThat(parameterCount(block)).isEqualTo(norm.parameterCount(ctx, defaults(norm)));
        }
    }

    @Test
    void scaleNormPutsEveryPositionOnTheSphereOfRadiusSqrtD() {
        Block block = build(new ScaleNormComponent(), 16);
        NDArray x = manager.randomNormal(3f, 5f, INPUT, ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray y = forward(block, manager, x, false);
        NDArray expected = x.div(x.square().sum(LAST, true).add(1e-5f).sqrt()).mul((float) Math.sqrt(16));
        assertThat(relativeError(y, expected)).isLessThan(1e-5f);
        for (float norm : y.square().sum(LAST).sqrt().toFloatArray()) {
            assertThat(norm).isCloseTo(4f, within(1e-4f));
        }
        assertThat(parameterCount(block)).isEqualTo(1);
        assertThat(block.getParameters().valueAt(0).getArray().getFloat()).isEqualTo(4f);
    }

    @Test
    void dynamicTanhAndErfAreTheirFormulasAtInitialisation() {
        NDArray x = manager.randomNormal(INPUT).mul(3f);
        Params alpha = Params.of(Map.of("alpha_init", 0.8));
        Block dyt = initialized(new DynamicTanhComponent().build(context(16, true), alpha), manager, INPUT);
        Block derf = initialized(new DerfComponent().build(context(16, true), alpha), manager, INPUT);
        assertThat(relativeError(forward(dyt, manager, x, false), x.mul(0.8f).tanh())).isLessThan(1e-6f);
        assertThat(relativeError(forward(derf, manager, x, false), x.mul(0.8f).erf())).isLessThan(1e-6f);
        assertThat(parameterCount(dyt)).isEqualTo(2 * 16 + 1);
        assertThat(parameterCount(derf)).isEqualTo(2 * 16 + 2);
    }

    @Test
    void dynamicTanhMatchesItsFormulaWithTrainedParameters() {
        Block dyt = build(new DynamicTanhComponent(), 16);
        Map<String, NDArray> p = new HashMap<>();
        for (var e : dyt.getParameters()) p.put(e.getKey(), e.getValue().getArray());
        p.get("alpha").set(new float[] {1.7f});
        NDArray gamma = manager.randomNormal(new Shape(16));
        NDArray beta = manager.randomNormal(new Shape(16));
        p.get("gain").set(gamma.toFloatArray());
        p.get("bias").set(beta.toFloatArray());
        NDArray x = manager.randomNormal(INPUT);
        NDArray expected = x.mul(1.7f).tanh().mul(gamma).add(beta);
        assertThat(relativeError(forward(dyt, manager, x, false), expected)).isLessThan(1e-6f);
    }

    @Test
    void compressedRmsNormIsLayerNormOfTheDecompressedZeroMeanVector() {
        // x in R^d encodes the zero-mean v = [x, -sum(x)] in R^(d+1); CRMSNorm(x) = LayerNorm(v)[:d].
        Block crms = build(new CompressedRmsNormComponent(), 16);
        NDArray x = manager.randomNormal(1f, 2f, INPUT, ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray v = NDArrays.concat(new NDList(x, x.sum(LAST, true).neg()), -1);
        assertThat(v.mean(LAST).abs().max().getFloat()).isLessThan(1e-5f);
        NDArray layerNorm = v.sub(v.mean(LAST, true)).div(v.sub(v.mean(LAST, true)).square().mean(LAST, true).add(1e-6f).sqrt());
        NDArray rmsNorm = v.div(v.square().mean(LAST, true).add(1e-6f).sqrt());
        NDArray y = forward(crms, manager, x, false);
        assertThat(relativeError(y, layerNorm.get(":, :, :16"))).isLessThan(1e-4f);
        assertThat(relativeError(y, rmsNorm.get(":, :, :16"))).isLessThan(1e-5f);
        // Unlike RMSNorm over the d values alone.
        NDArray plainRms = x.div(x.square().mean(LAST, true).add(1e-6f).sqrt());
        assertThat(relativeError(y, plainRms)).isGreaterThan(1e-2f);
    }

    @Test
    void noneIsTheIdentityWithoutParameters() {
        Block none = build(new IdentityNormComponent(), 16);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(none, manager, x, true).sub(x).abs().max().getFloat()).isEqualTo(0f);
        assertThat(parameterCount(none)).isZero();
        assertThat(new IdentityNormComponent().parameterCount(context(16, true), Params.empty())).isZero();
    }
}
