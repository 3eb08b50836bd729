package dev.strata.plugins.mixers;

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
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Params;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MlpTest {

    private final MlpComponent mlp = new MlpComponent();
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({"4, gelu", "2, relu2", "1, gelu"})
    void keepsShapeAndDeclaresItsParameters(int expansion, String activation) {
        Params params = Params.of(Map.of("expansion", expansion, "activation", activation));
        BuildContext ctx = context(16, true);
        Block block = initialized(mlp.build(ctx, params), manager, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(INPUT);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(INPUT);
        assertThat(parameterCount(block)).isEqualTo(mlp.parameterCount(ctx, params))
                .isEqualTo(2L * 16 * 16 * expansion + 16L * expansion + 16);
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
    }

    @Test
    void mixesOnlyChannels() {
        // Position t of the output depends only on position t of the input.
        Params params = Params.of(Map.of("expansion", 2, "activation", "relu2"));
        Block block = initialized(mlp.build(context(16, true), params), manager, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        NDArray changed = x.duplicate();
        changed.set(new ai.djl.ndarray.index.NDIndex(":, 5:, :"), 7f);
        NDArray a = forward(block, manager, x, false).get(":, :5, :");
        NDArray b = forward(block, manager, changed, false).get(":, :5, :");
        assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-6f);
    }

    @Test
    void isAChannelMixer() {
        assertThat(mlp.id()).isEqualTo("mixer.mlp");
        assertThat(mlp.kind()).isEqualTo(ComponentKind.CHANNEL_MIXER);
        assertThat(mlp.dimensions()).extracting(d -> d.name()).containsExactly("expansion", "activation");
    }
}
