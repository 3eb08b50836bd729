package dev.strata.plugins.mixers;

import static dev.strata.testkit.BlockTesting.INPUT;
import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
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

/** What every new channel mixer must do, checked with its default parameters. */
class ChannelMixersTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Stream<MixerComponent> mixers() {
        return Stream.of(new SwiGluComponent(), new GeGluComponent(), new PolyNormComponent(), new PolyReluComponent(),
                new MoeComponent());
    }

    static Params defaults(MixerComponent c) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : c.dimensions()) values.put(d.name(), d.defaultValue());
        return Params.of(values);
    }

    @ParameterizedTest
    @MethodSource("mixers")
    void keepsShapeDeclaresItsParametersAndPassesGradients(MixerComponent mixer) {
        BuildContext ctx = context(16, true);
        Block block = initialized(mixer.build(ctx, defaults(mixer)), manager, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(INPUT);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(INPUT);
        assertThat(parameterCount(block)).isEqualTo(mixer.parameterCount(ctx, defaults(mixer)));
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
    }

    @ParameterizedTest
    @MethodSource("mixers")
    void isCausalAndPerPositionInBothModes(MixerComponent mixer) {
        for (boolean causal : new boolean[] {true, false}) {
            Block block = initialized(mixer.build(context(16, causal), defaults(mixer)), manager, INPUT);
            NDArray x = manager.randomNormal(INPUT);
            BlockTesting.assertCausal(block, manager, x);
            // A channel mixer does not look backwards either: changing positions < 5 leaves 5.. alone.
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, :5, :"), 7f);
            NDArray a = forward(block, manager, x, false).get(":, 5:, :");
            NDArray b = forward(block, manager, changed, false).get(":, 5:, :");
            assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @ParameterizedTest
    @MethodSource("mixers")
    void staysFiniteOnLargeInputs(MixerComponent mixer) {
        Block block = initialized(mixer.build(context(16, true), defaults(mixer)), manager, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        for (float scale : new float[] {100f, 1000f}) {
            for (boolean training : new boolean[] {true, false}) {
                NDArray y = forward(block, manager, x.mul(scale), training);
                // Twice, as a stack of two layers does.
                NDArray z = forward(block, manager, y, training);
                assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).as("x%s", scale).isFalse();
                assertThat(z.isInfinite().any().getBoolean() || z.isNaN().any().getBoolean()).as("x%s twice", scale).isFalse();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("mixers")
    void theSameSeedGivesTheSameOutputs(MixerComponent mixer) {
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] outputs = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            Engine.getInstance().setRandomSeed(7);
            Block block = initialized(mixer.build(context(16, true), defaults(mixer)), manager, INPUT);
            outputs[i] = forward(block, manager, x, false);
        }
        assertThat(outputs[0].sub(outputs[1]).abs().max().getFloat()).isEqualTo(0f);
    }

    @ParameterizedTest
    @MethodSource("mixers")
    void describesItself(MixerComponent mixer) {
        assertThat(mixer.id()).matches("mixer\\.[a-z]+");
        assertThat(mixer.kind()).isEqualTo(ComponentKind.CHANNEL_MIXER);
        assertThat(mixer.version()).isEqualTo("1.0");
        assertThat(mixer.causalSafe()).isTrue();
        assertThat(mixer.complexity()).isEqualTo("O(n)");
        assertThat(mixer.reference()).matches(".*\\(.* \\d{4}\\).*");
        assertThat(mixer.dimensions()).allSatisfy(d -> assertThat(d.description()).isNotBlank());
    }

    @Test
    void defaultsBuildAtTheWidthsTheSearchUses() {
        for (int d : new int[] {32, 64}) {
            for (MixerComponent mixer : mixers().toList()) {
                BuildContext ctx = new BuildContext(d, 256, true, 0, 1, new BlockTesting.MapLayerState());
                ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(1, 8, d);
                Block block = initialized(mixer.build(ctx, defaults(mixer)), manager, shape);
                assertThat(forward(block, manager, manager.randomNormal(shape), true).getShape()).isEqualTo(shape);
                assertThat(parameterCount(block)).as(mixer.id()).isEqualTo(mixer.parameterCount(ctx, defaults(mixer)));
            }
        }
    }
}
