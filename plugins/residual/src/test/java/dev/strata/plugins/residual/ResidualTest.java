package dev.strata.plugins.residual;

import dev.strata.testkit.BlockTesting;
import static dev.strata.testkit.BlockTesting.INPUT;
import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.core.Linear;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ResidualTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Stream<ResidualComponent> residuals() {
        return Stream.of(new PreNormComponent(), new PostNormComponent());
    }

    /** Sublayers with their own parameters: three kinds of 16 -> 16 linear. */
    private static Sublayers linears(int[] normsMade) {
        return sublayers(() -> Linear.builder().setUnits(16).build(),
                Linear.builder().setUnits(16).build(), Linear.builder().setUnits(16).build(), normsMade);
    }

    private static Sublayers sublayers(Supplier<Block> norm, Block token, Block channel, int[] normsMade) {
        return new Sublayers() {
            @Override
            public Block tokenMixer() {
                return token;
            }

            @Override
            public Block channelMixer() {
                return channel;
            }

            @Override
            public Block newNorm() {
                normsMade[0]++;
                return norm.get();
            }
        };
    }

    @ParameterizedTest
    @MethodSource("residuals")
    void registersEverySublayerAsAChild(ResidualComponent residual) {
        int[] normsMade = {0};
        Block block = initialized(residual.wrap(context(16, true), Params.empty(), linears(normsMade)), manager, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(INPUT);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(INPUT);
        assertThat(normsMade[0]).isEqualTo(2);
        assertThat(block.getChildren().size()).isEqualTo(4);
        // Four linears of 16*16 + 16, and nothing of the operator's own.
        assertThat(parameterCount(block)).isEqualTo(4L * (16 * 16 + 16));
        assertThat(residual.parameterCount(context(16, true), Params.empty())).isZero();
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
    }

    /** norm = x/2, token = 2x, channel = x + 1: each placement gives a closed form. */
    private NDArray runScalarLayer(ResidualComponent residual, NDArray x) {
        Sublayers parts = sublayers(() -> LambdaBlock.singleton(a -> a.mul(0.5f)),
                LambdaBlock.singleton(a -> a.mul(2f)), LambdaBlock.singleton(a -> a.add(1f)), new int[1]);
        Block block = initialized(residual.wrap(context(16, true), Params.empty(), parts), manager, INPUT);
        return forward(block, manager, x, false);
    }

    @Test
    void preNormAddsSublayersOfNormalisedInputs() {
        NDArray x = manager.randomNormal(INPUT);
        // x1 = x + 2 * (x / 2) = 2x; x2 = x1 + (x1 / 2 + 1) = 3x + 1
        NDArray expected = x.mul(3f).add(1f);
        assertThat(runScalarLayer(new PreNormComponent(), x).sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void postNormNormalisesAfterEachAddition() {
        NDArray x = manager.randomNormal(INPUT);
        // x1 = (x + 2x) / 2 = 1.5x; x2 = (x1 + x1 + 1) / 2 = 1.5x + 0.5
        NDArray expected = x.mul(1.5f).add(0.5f);
        assertThat(runScalarLayer(new PostNormComponent(), x).sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void describesItself() {
        assertThat(new PreNormComponent().id()).isEqualTo("residual.pre_norm");
        assertThat(new PostNormComponent().id()).isEqualTo("residual.post_norm");
        assertThat(new PreNormComponent().reference()).contains("Xiong");
    }
}
