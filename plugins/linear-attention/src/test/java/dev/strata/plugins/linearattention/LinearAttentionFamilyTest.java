package dev.strata.plugins.linearattention;

import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import dev.strata.api.AttentionComponent;
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.testkit.BlockTesting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every component of the module must do: shape, declared parameters, gradients, causality, stability. */
class LinearAttentionFamilyTest {

    /** Long enough for several chunks of 16 and a padded last chunk. */
    static final Shape LONG = new Shape(2, 40, 16);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static List<AttentionComponent> components() {
        return List.of(new LinearAttentionComponent(), new GatedLinearAttentionComponent(), new DeltaNetComponent(),
                new RetentionComponent(), new GatedDeltaNetComponent());
    }

    static Stream<Arguments> all() {
        return components().stream().map(Arguments::of);
    }

    /** The component's defaults with some values replaced. */
    static Params params(AttentionComponent component, Object... overrides) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : component.dimensions()) {
            values.put(d.name(), d.validate(d.defaultValue()));
        }
        for (int i = 0; i < overrides.length; i += 2) {
            values.put((String) overrides[i], overrides[i + 1]);
        }
        return Params.of(values);
    }

    private Block build(AttentionComponent component, BuildContext ctx, Params params, Shape input, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        Block block = component.build(ctx, params);
        block.initialize(manager, DataType.FLOAT32, input);
        return block;
    }

    @ParameterizedTest
    @MethodSource("all")
    void keepsShapeAndDeclaresItsParameters(AttentionComponent component) {
        for (int d : new int[] {16, 32, 64}) {
            BuildContext ctx = context(d, true);
            Params params = params(component);
            Shape input = new Shape(2, 8, d);
            Block block = build(component, ctx, params, input, 1);
            NDArray x = manager.randomNormal(input);
            assertThat(forward(block, manager, x, true).getShape()).isEqualTo(input);
            assertThat(parameterCount(block)).as("d_model %d", d).isEqualTo(component.parameterCount(ctx, params));
        }
        BuildContext ctx = context(32, true);
        for (Params other : List.of(params(component, Ops.HEADS, 2), params(component, Ops.HEADS, 8))) {
            Block block = build(component, ctx, other, new Shape(2, 8, 32), 1);
            assertThat(parameterCount(block)).as("%s", other).isEqualTo(component.parameterCount(ctx, other));
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void gradientsReachEveryParameter(AttentionComponent component) {
        Block block = build(component, context(16, true), params(component, Ops.CHUNK, 16), LONG, 2);
        BlockTesting.assertGradientsReachEveryParameter(block, manager, manager.randomNormal(LONG));
    }

    @ParameterizedTest
    @MethodSource("all")
    void causalOutputsDoNotSeeTheFuture(AttentionComponent component) {
        assertThat(component.causalSafe()).isTrue();
        Block single = build(component, context(16, true), params(component), BlockTesting.INPUT, 3);
        BlockTesting.assertCausal(single, manager, manager.randomNormal(BlockTesting.INPUT));
        Block chunked = build(component, context(16, true), params(component, Ops.CHUNK, 16), LONG, 3);
        BlockTesting.assertCausal(chunked, manager, manager.randomNormal(LONG));
        for (int t : new int[] {15, 16, 31}) { // around chunk boundaries
            assertThat(BlockTesting.futureLeak(chunked, manager, manager.randomNormal(LONG), t)).isLessThan(1e-4f);
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void staysFiniteOnLargeInputs(AttentionComponent component) {
        Block block = build(component, context(16, true), params(component, Ops.CHUNK, 16), LONG, 4);
        NDArray x = manager.randomNormal(LONG);
        for (float scale : new float[] {100f, 1000f}) {
            NDArray y = forward(block, manager, x.mul(scale), false);
            assertThat(y.isNaN().any().getBoolean()).as("NaN at x%s", scale).isFalse();
            assertThat(y.isInfinite().any().getBoolean()).as("inf at x%s", scale).isFalse();
        }
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray y = forward(block, manager, x.mul(100f), true);
            collector.backward(y.mul(manager.randomNormal(y.getShape())).sum());
        }
        for (var entry : block.getParameters()) {
            NDArray grad = entry.getValue().getArray().getGradient();
            assertThat(grad.isNaN().any().getBoolean() || grad.isInfinite().any().getBoolean())
                    .as("gradient of %s at x100", entry.getKey()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void chunkSizeChangesSpeedNotOutputs(AttentionComponent component) {
        NDArray x = manager.randomNormal(LONG);
        BuildContext ctx = context(16, true);
        NDArray small = forward(build(component, ctx, params(component, Ops.CHUNK, 16), LONG, 5), manager, x, false);
        NDArray whole = forward(build(component, ctx, params(component, Ops.CHUNK, 64), LONG, 5), manager, x, false);
        assertThat(Recurrences.relativeError(small, whole)).isLessThan(1e-4f);
    }

    @ParameterizedTest
    @MethodSource("all")
    void sameSeedSameOutputs(AttentionComponent component) {
        NDArray x = manager.randomNormal(BlockTesting.INPUT);
        BuildContext ctx = context(16, true);
        NDArray first = forward(build(component, ctx, params(component), BlockTesting.INPUT, 6), manager, x, false);
        NDArray second = forward(build(component, ctx, params(component), BlockTesting.INPUT, 6), manager, x, false);
        NDArray other = forward(build(component, ctx, params(component), BlockTesting.INPUT, 7), manager, x, false);
        assertThat(first.sub(second).abs().max().getFloat()).isEqualTo(0f);
        assertThat(first.sub(other).abs().max().getFloat()).isGreaterThan(0f);
    }

    @ParameterizedTest
    @MethodSource("all")
    void defaultsTrainAtTheSupportedSizes(AttentionComponent component) {
        for (int d : new int[] {32, 64}) {
            for (int seq : new int[] {8, 256}) {
                BuildContext ctx = new BuildContext(d, seq, true, 0, 1, new BlockTesting.MapLayerState());
                Shape input = new Shape(1, seq, d);
                Block block = build(component, ctx, params(component), input, 8);
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    NDArray y = forward(block, manager, manager.randomNormal(input), true);
                    assertThat(y.getShape()).isEqualTo(input);
                    collector.backward(y.square().mean());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void refusesHeadsThatDoNotDivideTheWidth(AttentionComponent component) {
        assertThatThrownBy(() -> component.build(context(60, true), params(component, Ops.HEADS, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(component.id() + ": d_model 60 is not divisible by heads 8");
    }

    @ParameterizedTest
    @MethodSource("all")
    void describesItself(AttentionComponent component) {
        assertThat(component.id()).matches("attention\\.[a-z_]+");
        assertThat(component.version()).isEqualTo("1.0");
        assertThat(component.kind()).isEqualTo(ComponentKind.ATTENTION);
        assertThat(component.complexity()).isEqualTo("O(n)");
        assertThat(component.reference()).matches(".+ \\([A-Z][a-z]+ et al\\., 20\\d\\d\\)");
        assertThat(component.description()).isNotBlank().doesNotContain("\n");
        assertThat(component.getClass().getAnnotation(org.pf4j.Extension.class)).isNotNull();
        for (Dimension d : component.dimensions()) {
            assertThat(d.description()).as(d.name()).isNotBlank();
            assertThat(d.validate(d.defaultValue())).isEqualTo(d.defaultValue());
            d.searchValues().forEach(d::validate);
        }
        assertThat(component.dimensions()).extracting(Dimension::name).contains(Ops.HEADS, Ops.CHUNK);
        assertThat(params(component).getInt(Ops.HEADS)).isEqualTo(4); // head_dim 16 at d_model 64
    }
}
