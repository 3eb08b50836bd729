package dev.strata.plugins.sequencemixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import dev.strata.testkit.BlockTesting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every mixer of the module must do, for its defaults and for the other choices of its dimensions. */
class SequenceMixerFamilyTest {

    static final List<MixerComponent> ALL = List.of(new MambaComponent(), new ShortConvComponent(), new HyenaComponent(),
            new PoolComponent(), new TokenShiftComponent(), new LmuComponent(), new LruComponent(), new Mamba2Component());

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(7);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** The defaults with some values replaced. */
    static Params params(MixerComponent component, Object... overrides) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : component.dimensions()) {
            values.put(d.name(), d.defaultValue());
        }
        for (int i = 0; i < overrides.length; i += 2) {
            values.put((String) overrides[i], overrides[i + 1]);
        }
        return Params.of(values);
    }

    static BuildContext context(int dModel, int maxLength, boolean causal) {
        return new BuildContext(dModel, maxLength, causal, 0, 2, new BlockTesting.MapLayerState());
    }

    /** Every component with its defaults, and each further choice or search value of a CHOICE dimension. */
    static Stream<Arguments> variants() {
        Stream.Builder<Arguments> out = Stream.builder();
        for (MixerComponent c : ALL) {
            out.add(Arguments.of(c.id(), c, params(c)));
            for (Dimension d : c.dimensions()) {
                if (d.type() == Dimension.Type.CHOICE) {
                    for (String choice : d.choices()) {
                        if (!choice.equals(d.defaultValue())) {
                            out.add(Arguments.of(c.id() + " " + d.name() + "=" + choice, c, params(c, d.name(), choice)));
                        }
                    }
                }
            }
        }
        out.add(Arguments.of("mixer.mamba small", ALL.get(0), params(ALL.get(0), "state", 4, "expand", 1, "conv", 2)));
        out.add(Arguments.of("mixer.short_conv kernel=1", ALL.get(1), params(ALL.get(1), "kernel", 1)));
        out.add(Arguments.of("mixer.pool window=4", ALL.get(3), params(ALL.get(3), "window", 4)));
        out.add(Arguments.of("mixer.mamba2 small", ALL.get(7), params(ALL.get(7), "state", 4, "expand", 1, "head_dim", 4, "conv", 2)));
        out.add(Arguments.of("mixer.lmu order=3", ALL.get(5), params(ALL.get(5), "order", 3, "theta", 4)));
        return out.build();
    }

    private Block build(MixerComponent c, BuildContext ctx, Params p, Shape input) {
        return BlockTesting.initialized(c.build(ctx, p), manager, input);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void shapeParametersGradientsCausalityAndLargeInputs(String name, MixerComponent c, Params p) {
        Shape input = new Shape(2, 20, 16); // more than one chunk of 16, with a padded tail
        BuildContext ctx = context(16, 20, true);
        Block block = build(c, ctx, p, input);
        NDArray x = manager.randomNormal(input);
        assertThat(BlockTesting.forward(block, manager, x, true).getShape()).isEqualTo(input);
        assertThat(BlockTesting.forward(block, manager, x, false).getShape()).isEqualTo(input);
        assertThat(BlockTesting.parameterCount(block)).as("declared parameter count").isEqualTo(c.parameterCount(ctx, p));
        if (BlockTesting.parameterCount(block) > 0) {
            BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
            for (var entry : block.getParameters()) {
                NDArray grad = entry.getValue().getArray().getGradient();
                assertThat(grad.isNaN().logicalOr(grad.isInfinite()).any().getBoolean()).as("finite gradient of %s", entry.getKey())
                        .isFalse();
            }
        }
        assertThat(c.causalSafe()).isTrue();
        BlockTesting.assertCausal(block, manager, x);
        for (float scale : new float[] {100f, 1000f}) {
            NDArray y = BlockTesting.forward(block, manager, x.mul(scale), false);
            assertThat(y.isNaN().any().getBoolean()).as("NaN at scale %s", scale).isFalse();
            assertThat(y.isInfinite().any().getBoolean()).as("inf at scale %s", scale).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void sameSeedSameOutputAndInputGradient(String name, MixerComponent c, Params p) {
        Shape input = new Shape(2, 9, 16);
        NDArray x = manager.randomNormal(input);
        NDArray[] outputs = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            Engine.getInstance().setRandomSeed(123);
            Block block = build(c, context(16, 9, false), p, input);
            outputs[i] = BlockTesting.forward(block, manager, x, false);
        }
        assertThat(outputs[0].contentEquals(outputs[1])).isTrue();

        // The input gets a finite, non-zero gradient (the only one a parameter-free mixer has).
        Block block = build(c, context(16, 9, true), p, input);
        NDArray probe = x.duplicate();
        probe.setRequiresGradient(true);
        try (var collector = manager.getEngine().newGradientCollector()) {
            NDArray y = BlockTesting.forward(block, manager, probe, true);
            collector.backward(y.mul(manager.randomNormal(y.getShape())).sum());
        }
        NDArray grad = probe.getGradient();
        assertThat(grad.isNaN().any().getBoolean()).isFalse();
        assertThat(grad.abs().sum().getFloat()).isGreaterThan(0f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void buildsAtTheSizesTheSearchUses(String name, MixerComponent c, Params p) {
        for (int d : new int[] {32, 64}) {
            for (int seq : new int[] {1, 8, 33}) {
                Shape input = new Shape(1, seq, d);
                Block block = build(c, context(d, 256, true), p, input);
                assertThat(BlockTesting.forward(block, manager, manager.randomNormal(input), true).getShape()).isEqualTo(input);
            }
        }
    }

    @Test
    void longSequencesAtTheLargestDefaultLength() {
        Shape input = new Shape(1, 256, 32);
        for (MixerComponent c : ALL) {
            Block block = build(c, context(32, 256, true), params(c), input);
            NDArray y = BlockTesting.forward(block, manager, manager.randomNormal(input), true);
            assertThat(y.getShape()).as(c.id()).isEqualTo(input);
            assertThat(y.isNaN().any().getBoolean()).as(c.id()).isFalse();
        }
    }

    @Test
    void describeThemselves() {
        assertThat(ALL).extracting(MixerComponent::id).doesNotHaveDuplicates()
                .allMatch(id -> id.matches("mixer\\.[a-z][a-z0-9_]*"));
        for (MixerComponent c : ALL) {
            assertThat(c.kind()).as(c.id()).isEqualTo(ComponentKind.TOKEN_MIXER);
            assertThat(c.version()).isEqualTo("1.0");
            assertThat(c.description()).isNotBlank().doesNotContain("\n");
            assertThat(c.reference()).as(c.id()).matches(".*\\(.* et al\\., 20\\d\\d\\).*");
            assertThat(c.complexity()).isIn("O(n)", "O(n w)", "O(n log n)");
            for (Dimension d : c.dimensions()) {
                assertThat(d.description()).as(c.id() + " " + d.name()).isNotBlank();
                assertThat(d.validate(d.defaultValue())).isEqualTo(d.defaultValue());
                d.searchValues().forEach(d::validate);
            }
        }
        assertThat(new PoolComponent().parameterCount(context(64, 64, true), params(new PoolComponent()))).isZero();
    }

    @Test
    void refuseImpossibleValuesNamingThemselves() {
        assertThatThrownBy(() -> new PoolComponent().build(context(16, 8, true), params(new PoolComponent(), "window", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mixer.pool: window 1 must be at least 2 (1 gives zero)");
        assertThatThrownBy(() -> new HyenaComponent().build(context(16, 8, true), params(new HyenaComponent(), "position_features", 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("mixer.hyena: position_features 4");
        assertThatThrownBy(() -> new MambaComponent().build(context(16, 8, true), params(new MambaComponent(), "state", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("mixer.mamba: state 0");
        assertThatThrownBy(() -> new Mamba2Component().build(context(20, 8, true), params(new Mamba2Component())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mixer.mamba2: expand * d_model 40 is not divisible by head_dim 16");
    }

    @Test
    void parameterCountsFollowTheirFormulas() {
        BuildContext ctx = context(64, 64, true);
        // Mamba at d 64, E 128, N 8, K 4, R 4: 3*128*64 + 128*(4 + 8 + 24 + 3).
        assertThat(new MambaComponent().parameterCount(ctx, params(new MambaComponent()))).isEqualTo(3 * 128 * 64 + 128 * 39);
        assertThat(new ShortConvComponent().parameterCount(ctx, params(new ShortConvComponent()))).isEqualTo(64 * 4 + 64 + 64 * 64 + 64);
        assertThat(new TokenShiftComponent().parameterCount(ctx, params(new TokenShiftComponent(), "gate", "receptance")))
                .isEqualTo(3 * 64 * 64 + 2 * 64);
        assertThat(new LmuComponent().parameterCount(ctx, params(new LmuComponent()))).isEqualTo(64 * 64 + 64 * 8 * 64 + 64);
        // Mamba-2 at d 64, E 128, N 16, H 8, K 4: 64 (256 + 32 + 8) + 160 * 5 + 24 + 128 + 128 * 64.
        assertThat(new Mamba2Component().parameterCount(ctx, params(new Mamba2Component())))
                .isEqualTo(64 * 296 + 160 * 5 + 24 + 128 + 128 * 64);
        assertThat(new LruComponent().parameterCount(ctx, params(new LruComponent()))).isEqualTo(2 * 64 + 2 * 64 * 64 + 64);
    }
}
