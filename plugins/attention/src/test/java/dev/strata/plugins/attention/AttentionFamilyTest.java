package dev.strata.plugins.attention;

import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.SequenceComponent;
import dev.strata.testkit.BlockTesting;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every component of the family meets, checked on two-layer stacks (so MLKV runs as
 * leader and follower) with default parameters: shape, declared = measured parameters, gradients
 * to every parameter and the input, causality, finite outputs for large inputs, determinism.
 */
class AttentionFamilyTest {

    private static final Shape INPUT = new Shape(2, 8, 16);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Stream<SequenceComponent> components() {
        return Components.all().stream();
    }

    private Stack stack(SequenceComponent c, boolean causal, int dModel, int maxLength, Shape input) {
        return Stack.repeat(c, Components.params(c), 2, dModel, maxLength, causal).initialized(manager, input);
    }

    @ParameterizedTest
    @MethodSource("components")
    void keepsShapeDeclaresItsParametersAndTrainsEveryOne(SequenceComponent c) {
        for (boolean causal : new boolean[] {true, false}) {
            Stack s = stack(c, causal, 16, 8, INPUT);
            NDArray x = manager.randomNormal(INPUT);
            assertThat(forward(s, manager, x, true).getShape()).isEqualTo(INPUT);
            assertThat(forward(s, manager, x, false).getShape()).isEqualTo(INPUT);
            assertThat(parameterCount(s)).as("measured vs declared").isEqualTo(s.declared);
            BlockTesting.assertGradientsReachEveryParameter(s, manager, x);
        }
    }

    @ParameterizedTest
    @MethodSource("components")
    void inputGetsAGradient(SequenceComponent c) {
        Stack s = stack(c, true, 16, 8, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        x.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray y = forward(s, manager, x, true);
            collector.backward(y.mul(manager.randomNormal(y.getShape())).sum());
        }
        assertThat(x.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
    }

    @ParameterizedTest
    @MethodSource("components")
    void causalOutputsDoNotSeeTheFuture(SequenceComponent c) {
        assertThat(c.causalSafe()).isTrue();
        BlockTesting.assertCausal(stack(c, true, 16, 8, INPUT), manager, manager.randomNormal(INPUT));
    }

    @ParameterizedTest
    @MethodSource("components")
    void nonCausalOutputsDoSeeTheFuture(SequenceComponent c) {
        // Guards the causality test: without the mask, changing positions 4.. moves position 0.
        Stack s = stack(c, false, 16, 8, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        NDArray perturbed = x.duplicate();
        perturbed.set(new NDIndex(":, 4:, :"), 5f);
        NDArray before = forward(s, manager, x, false).get(":, 0, :");
        NDArray after = forward(s, manager, perturbed, false).get(":, 0, :");
        assertThat(before.sub(after).abs().max().getFloat()).isGreaterThan(1e-3f);
    }

    @ParameterizedTest
    @MethodSource("components")
    void staysFiniteOnLargeInputs(SequenceComponent c) {
        Stack s = stack(c, true, 16, 8, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        for (float factor : new float[] {100f, 1000f}) {
            for (boolean training : new boolean[] {true, false}) {
                NDArray y = forward(s, manager, x.mul(factor), training);
                assertThat(y.isNaN().any().getBoolean()).as("NaN at x%s", factor).isFalse();
                assertThat(y.isInfinite().any().getBoolean()).as("inf at x%s", factor).isFalse();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("components")
    void theSameSeedGivesTheSameOutputs(SequenceComponent c) {
        NDArray x = manager.randomNormal(INPUT);
        Engine.getInstance().setRandomSeed(7);
        NDArray a = forward(stack(c, true, 16, 8, INPUT), manager, x, false);
        Engine.getInstance().setRandomSeed(7);
        NDArray b = forward(stack(c, true, 16, 8, INPUT), manager, x, false);
        assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
    }

    /** Defaults must build and train at d_model 32 and 64 and sequence lengths 8 to 256. */
    @ParameterizedTest
    @MethodSource("components")
    void defaultsTrainAtTheSearchedSizes(SequenceComponent c) {
        for (int d : new int[] {32, 64}) {
            for (int seq : new int[] {8, 256}) {
                Shape input = new Shape(1, seq, d);
                Stack s = stack(c, true, d, seq, input);
                assertThat(parameterCount(s)).isEqualTo(s.declared);
                BlockTesting.assertGradientsReachEveryParameter(s, manager, manager.randomNormal(input));
            }
        }
    }

    /** Every search value (one dimension at a time, as the conformance kit varies them) builds at d 32 and 64. */
    @ParameterizedTest
    @MethodSource("components")
    void everySearchValueBuildsAndCountsRight(SequenceComponent c) {
        for (Dimension dim : c.dimensions()) {
            for (Object value : dim.searchValues()) {
                for (int d : new int[] {32, 64}) {
                    Stack s = Stack.repeat(c, Components.params(c, dim.name(), value), 2, d, 16, true)
                            .initialized(manager, new Shape(1, 16, d));
                    assertThat(parameterCount(s)).as("%s=%s at d %s", dim.name(), value, d).isEqualTo(s.declared);
                    assertThat(forward(s, manager, manager.randomNormal(new Shape(1, 16, d)), true).getShape())
                            .isEqualTo(new Shape(1, 16, d));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("components")
    void describesItself(SequenceComponent c) {
        assertThat(c.id()).matches("attention\\.[a-z_]+");
        assertThat(c.kind()).isEqualTo(ComponentKind.ATTENTION);
        assertThat(c.version()).isEqualTo("1.0");
        assertThat(c.description()).isNotBlank().doesNotContain("\n");
        assertThat(c.reference()).matches(".+ \\([A-Z][^()]+, (19|20)\\d\\d\\)");
        assertThat(c.complexity()).isEqualTo(c instanceof SlidingWindowAttentionComponent ? "O(n w)" : "O(n^2)");
        assertThat(c.getClass().isAnnotationPresent(org.pf4j.Extension.class)).isTrue();
        for (Dimension d : c.dimensions()) {
            assertThat(d.description()).as(d.name()).isNotBlank();
            assertThat(d.validate(d.defaultValue())).isEqualTo(d.defaultValue());
        }
    }

    @Test
    void idsAreUnique() {
        assertThat(Components.all().stream().map(SequenceComponent::id)).doesNotHaveDuplicates().hasSize(10);
    }
}
