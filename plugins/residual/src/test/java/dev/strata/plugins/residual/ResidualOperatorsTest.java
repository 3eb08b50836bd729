package dev.strata.plugins.residual;

import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.strata.api.BuildContext;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.plugins.residual.TestLayers.Operator;
import dev.strata.plugins.residual.TestLayers.Stack;
import dev.strata.plugins.residual.TestLayers.TrackingSublayers;
import dev.strata.testkit.BlockTesting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties every residual operator must have, checked on single layers and hand-made stacks. */
class ResidualOperatorsTest {

    static final int D = 16;
    static final int T = 8;
    static final Shape SHAPE = new Shape(2, T, D);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Every dimension at its default, then the given overrides, validated as the platform does. */
    static Params resolve(ResidualComponent c, Object... overrides) {
        Map<String, Object> given = new TreeMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            given.put((String) overrides[i], overrides[i + 1]);
        }
        Map<String, Object> values = new TreeMap<>();
        for (Dimension d : c.dimensions()) {
            values.put(d.name(), d.validate(given.getOrDefault(d.name(), d.defaultValue())));
            given.remove(d.name());
        }
        assertThat(given).as("parameters %s does not declare", c.id()).isEmpty();
        return Params.of(values);
    }

    static Operator op(ResidualComponent c, Object... overrides) {
        return new Operator(c, resolve(c, overrides));
    }

    /** The new operators, with parameters that let gradients reach everything at init. */
    static Stream<Operator> operators() {
        return Stream.of(
                op(new SandwichNormComponent()),
                op(new ReZeroComponent(), "alpha_init", 0.5),
                op(new LayerScaleComponent()),
                op(new LayerScaleComponent(), "init", 1e-5),
                op(new ParallelComponent()),
                op(new DenseFormerComponent()),
                op(new HyperConnectionsComponent()),
                op(new HyperConnectionsComponent(), "streams", 2, "dynamic", "true"),
                op(new HyperConnectionsComponent(), "streams", 1),
                op(new DepthAttentionComponent()),
                op(new LoopedComponent()),
                op(new LoopedComponent(), "loops", 3));
    }

    /** Every operator of the module at its defaults. */
    static Stream<ResidualComponent> components() {
        return Stream.of(new PreNormComponent(), new PostNormComponent(), new SandwichNormComponent(), new ReZeroComponent(),
                new LayerScaleComponent(), new ParallelComponent(), new DenseFormerComponent(), new HyperConnectionsComponent(),
                new DepthAttentionComponent(), new LoopedComponent());
    }

    /**
     * Moves parameters that the paper initialises to exactly zero (dynamic hyper-connection
     * weights) off zero, as one training step would, so that the scales in front of them get a
     * gradient too.
     */
    static void leaveInitialisation(Block block, NDManager manager) {
        for (var e : block.getParameters()) {
            if (e.getKey().contains("dynamic_alpha_fn") || e.getKey().contains("dynamic_beta_fn")) {
                setRandom(e.getValue(), manager, 0.5f);
            }
        }
    }

    static void setRandom(Parameter p, NDManager manager, float std) {
        p.getArray().set(manager.randomNormal(p.getArray().getShape()).mul(std).toFloatArray());
    }

    private Stack stack(Operator op, int depth, boolean causal) {
        Stack s = new Stack(D, T, causal, op, depth);
        initialized(s, manager, SHAPE);
        leaveInitialisation(s, manager);
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void singleLayerKeepsShapeRegistersSublayersAndDeclaresItsParameters(Operator op) {
        BuildContext ctx = context(D, true);
        TrackingSublayers parts = TrackingSublayers.simple(D, 1);
        Block block = initialized(op.component().wrap(ctx, op.params(), parts), manager, SHAPE);
        leaveInitialisation(block, manager);
        NDArray x = manager.randomNormal(SHAPE);
        assertThat(forward(block, manager, x, true).getShape()).isEqualTo(SHAPE);
        assertThat(forward(block, manager, x, false).getShape()).isEqualTo(SHAPE);

        List<Block> children = new ArrayList<>(block.getChildren().values());
        assertThat(children).contains(parts.token, parts.channel).containsAll(parts.norms);
        assertThat(children).hasSize(2 + parts.norms.size());
        assertThat(parameterCount(block) - parts.parameterCount()).isEqualTo(op.component().parameterCount(ctx, op.params()));
        BlockTesting.assertGradientsReachEveryParameter(block, manager, x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void threeLayerStackDeclaresItsParametersAndTrainsEveryOne(Operator op) {
        Stack s = stack(op, 3, true);
        long declared = 0;
        for (BuildContext ctx : s.contexts) {
            declared += op.component().parameterCount(ctx, op.params());
        }
        assertThat(parameterCount(s) - s.sublayerParameters()).isEqualTo(declared);
        NDArray x = manager.randomNormal(SHAPE);
        assertThat(forward(s, manager, x, true).getShape()).isEqualTo(SHAPE);
        BlockTesting.assertGradientsReachEveryParameter(s, manager, x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void stackWithCausalSublayersIsCausal(Operator op) {
        assertThat(op.component().causalSafe()).isTrue();
        BlockTesting.assertCausal(stack(op, 3, true), manager, manager.randomNormal(SHAPE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void lookAheadSublayerLeaksThroughTheStack(Operator op) {
        // Guards the causality test: the operator passes the future through when a sublayer reads it.
        Stack s = new Stack(D, T, false, java.util.Collections.nCopies(2, op), -1);
        initialized(s, manager, SHAPE);
        leaveInitialisation(s, manager);
        // (LayerScale at init 1e-5 passes it on scaled by 1e-5; a causal stack gives 0.)
        assertThat(BlockTesting.futureLeak(s, manager, manager.randomNormal(SHAPE), 3)).isGreaterThan(1e-5f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void staysFiniteOnLargeInputs(Operator op) {
        Stack s = stack(op, 3, true);
        for (float scale : new float[] {100f, 1000f}) {
            NDArray y = forward(s, manager, manager.randomNormal(SHAPE).mul(scale), true);
            assertThat(y.isNaN().any().getBoolean()).as("NaN at x%s", scale).isFalse();
            assertThat(y.isInfinite().any().getBoolean()).as("inf at x%s", scale).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void sameSeedGivesTheSameOutput(Operator op) {
        NDArray x = manager.randomNormal(SHAPE);
        float[][] outputs = new float[2][];
        for (int i = 0; i < 2; i++) {
            Engine.getInstance().setRandomSeed(1234);
            Stack s = new Stack(D, T, true, op, 2);
            initialized(s, manager, SHAPE);
            outputs[i] = forward(s, manager, x, false).toFloatArray();
        }
        assertThat(outputs[1]).containsExactly(outputs[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("components")
    void defaultsAndSearchValuesAreValid(ResidualComponent c) {
        for (Dimension d : c.dimensions()) {
            assertThat(d.description()).as(d.name()).isNotBlank();
            assertThat(d.validate(d.defaultValue())).isEqualTo(d.defaultValue());
            d.searchValues().forEach(d::validate);
        }
        Params defaults = resolve(c);
        for (int width : new int[] {32, 64}) {
            BuildContext ctx = new BuildContext(width, 256, true, 1, 2, new BlockTesting.MapLayerState());
            TrackingSublayers parts = TrackingSublayers.simple(width, 1);
            Block block = initialized(c.wrap(ctx, defaults, parts), manager, new Shape(1, 4, width));
            assertThat(parameterCount(block) - parts.parameterCount()).isEqualTo(c.parameterCount(ctx, defaults));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("components")
    void describesItself(ResidualComponent c) {
        assertThat(c.id()).matches("residual\\.[a-z_]+");
        assertThat(c.kind()).isEqualTo(ComponentKind.RESIDUAL);
        assertThat(c.version()).isEqualTo("1.0");
        assertThat(c.description()).isNotBlank();
        assertThat(c.reference()).matches(".+ \\(.+ et al\\., \\d{4}\\).*");
        assertThat(c.complexity()).isEqualTo("O(n)");
        assertThat(c.causalSafe()).isTrue();
        assertThat(c.getClass().isAnnotationPresent(org.pf4j.Extension.class)).isTrue();
    }

    @Test
    void idsAreUnique() {
        assertThat(components().map(ResidualComponent::id)).doesNotHaveDuplicates()
                .contains("residual.sandwich", "residual.rezero", "residual.layerscale", "residual.parallel",
                        "residual.denseformer", "residual.hyper_connections", "residual.depth_attention", "residual.looped");
    }

    @Test
    void refusesImpossibleValues() {
        TrackingSublayers parts = TrackingSublayers.simple(D, 1);
        BuildContext ctx = context(D, true);
        assertThatThrownBy(() -> new LoopedComponent().wrap(ctx, Params.of(Map.of("loops", 0)), parts))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("residual.looped: loops must be in [1, 8], got 0");
        assertThatThrownBy(() -> new HyperConnectionsComponent().wrap(ctx, Params.of(Map.of("streams", 0)), parts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("residual.hyper_connections: streams must be in [1, 16], got 0");
        assertThatThrownBy(() -> new HyperConnectionsComponent().wrap(ctx, Params.of(Map.of("dynamic", "maybe")), parts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("residual.hyper_connections: dynamic must be true or false, got maybe");
        assertThatThrownBy(() -> new LayerScaleComponent().wrap(ctx, Params.of(Map.of("init", 0.0)), parts))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("residual.layerscale: init must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new DepthAttentionComponent().wrap(ctx, Params.of(Map.of("key_dim", 0)), parts))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("residual.depth_attention: key_dim must be positive, got 0");
        assertThatThrownBy(() -> new ReZeroComponent().wrap(ctx, Params.of(Map.of("alpha_init", 2.0)), parts))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("residual.rezero: alpha_init must be in [-1, 1], got 2.0");
    }

    @Test
    void depthOperatorsNeedTheLayerStateAfterLayerZero() {
        NDArray x = manager.randomNormal(SHAPE);
        for (ResidualComponent c : List.of(new DenseFormerComponent(), new DepthAttentionComponent())) {
            // Layer 1 built outside a model: nothing recorded in the layer state.
            BuildContext ctx = new BuildContext(D, T, true, 1, 2, new BlockTesting.MapLayerState());
            Block block = initialized(c.wrap(ctx, resolve(c), TrackingSublayers.simple(D, 1)), manager, SHAPE);
            assertThatThrownBy(() -> forward(block, manager, x, false)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(c.id() + ": layer 1 needs the");
        }
    }

    @Test
    void reZeroAtItsDefaultIsTheIdentityAndOnlyAlphaLearnsOnTheFirstStep() {
        Operator op = op(new ReZeroComponent());
        TrackingSublayers parts = TrackingSublayers.simple(D, 1);
        Block block = initialized(op.component().wrap(context(D, true), op.params(), parts), manager, SHAPE);
        NDArray x = manager.randomNormal(SHAPE);
        assertThat(forward(block, manager, x, false).sub(x).abs().max().getFloat()).isZero();
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray y = forward(block, manager, x, true);
            collector.backward(y.mul(manager.randomNormal(SHAPE)).sum());
        }
        for (var e : block.getParameters()) {
            float g = e.getValue().getArray().getGradient().abs().sum().getFloat();
            if (e.getKey().equals("alpha")) {
                assertThat(g).as("gradient of alpha").isGreaterThan(0f);
            } else {
                assertThat(g).as("gradient of %s", e.getKey()).isZero();
            }
        }
    }
}
