package dev.strata.plugins.norms;

import dev.strata.testkit.BlockTesting;
import static dev.strata.testkit.BlockTesting.INPUT;
import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NormsTest {

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
        return Stream.of(new LayerNormComponent(), new RmsNormComponent());
    }

    @ParameterizedTest
    @MethodSource("norms")
    void keepsShapeInTrainingAndInference(NormComponent norm) {
        BuildContext ctx = context(16, true);
        Block block = initialized(norm.build(ctx, Params.empty()), manager, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(INPUT);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(INPUT);
        assertThat(parameterCount(block)).isEqualTo(norm.parameterCount(ctx, Params.empty()));
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
    }

    @Test
    void layerNormStandardisesEachPosition() {
        Block block = initialized(new LayerNormComponent().build(context(16, true), Params.empty()), manager, INPUT);
        NDArray x = manager.randomNormal(3f, 5f, INPUT, ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray y = forward(block, manager, x, false);
        float[] mean = y.mean(new int[] {-1}).toFloatArray();
        float[] variance = y.sub(y.mean(new int[] {-1}, true)).square().mean(new int[] {-1}).toFloatArray();
        for (int i = 0; i < mean.length; i++) {
            assertThat(mean[i]).isCloseTo(0f, within(1e-4f));
            assertThat(variance[i]).isCloseTo(1f, within(1e-3f));
        }
        assertThat(parameterCount(block)).isEqualTo(32);
    }

    @Test
    void rmsNormGivesUnitRootMeanSquareWithoutCentring() {
        Block block = initialized(new RmsNormComponent().build(context(16, true), Params.empty()), manager, INPUT);
        NDArray x = manager.randomNormal(3f, 5f, INPUT, ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray y = forward(block, manager, x, false);
        float[] rms = y.square().mean(new int[] {-1}).sqrt().toFloatArray();
        for (float r : rms) {
            assertThat(r).isCloseTo(1f, within(1e-3f));
        }
        // No centring: RMSNorm is a per-position rescaling, so signs are kept.
        assertThat(y.mul(x).lt(0f).any().getBoolean()).isFalse();
        assertThat(parameterCount(block)).isEqualTo(16);
    }

    @Test
    void describesItself() {
        assertThat(new LayerNormComponent().id()).isEqualTo("norm.layer");
        assertThat(new RmsNormComponent().id()).isEqualTo("norm.rms");
        assertThat(new RmsNormComponent().reference()).contains("Zhang & Sennrich");
    }
}
