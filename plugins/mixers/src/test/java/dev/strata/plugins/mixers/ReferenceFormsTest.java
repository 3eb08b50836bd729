package dev.strata.plugins.mixers;

import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static dev.strata.testkit.BlockTesting.parameterCount;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gated units and the polynomial activations against their papers' formulas, written out. */
class ReferenceFormsTest {

    private static final Shape SMALL = new Shape(2, 4, 8);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A child by its name; DJL prefixes child names with their position ("01up"). */
    static Block child(Block block, String name) {
        for (var entry : block.getChildren()) {
            if (entry.getKey().replaceFirst("^\\d+", "").equals(name)) return entry.getValue();
        }
        throw new IllegalArgumentException("no child " + name + " in " + block.getChildren().keys());
    }

    private static NDArray weight(Block block, String child) {
        return child(block, child).getParameters().get("weight").getArray();
    }

    private static NDArray bias(Block block, String child) {
        return child(block, child).getParameters().get("bias").getArray();
    }

    private static float relativeError(NDArray actual, NDArray expected) {
        return actual.sub(expected).abs().max().getFloat() / Math.max(1e-6f, expected.abs().max().getFloat());
    }

    @ParameterizedTest
    @CsvSource({"16, 4, 48", "32, 4, 88", "64, 4, 176", "16, 1, 16", "32, 2, 48"})
    void gatedUnitsUseTwoThirdsOfTheMlpWidthRoundedUpToEight(int d, int expansion, int hidden) {
        Params params = Params.of(Map.of("expansion", expansion));
        BuildContext ctx = context(d, true);
        assertThat(GatedUnits.hidden(ctx, params)).isEqualTo(hidden);
        assertThat(new SwiGluComponent().parameterCount(ctx, params)).isEqualTo(3L * d * hidden);
        Block block = initialized(new GeGluComponent().build(ctx, params), manager, new Shape(1, 2, d));
        assertThat(parameterCount(block)).isEqualTo(3L * d * hidden);
    }

    @ParameterizedTest
    @CsvSource({"swiglu", "geglu"})
    void gatedUnitsMatchTheirDefinition(String which) {
        Params params = Params.of(Map.of("expansion", 2));
        BuildContext ctx = context(8, true);
        Block block = initialized(which.equals("swiglu") ? new SwiGluComponent().build(ctx, params)
                : new GeGluComponent().build(ctx, params), manager, SMALL);
        NDArray x = manager.randomNormal(SMALL);
        NDArray actual = forward(block, manager, x, false);

        int h = GatedUnits.hidden(ctx, params);
        NDArray fused = weight(block, "in"); // (2h, d): W1 rows, then V rows
        NDArray w1 = fused.get(":" + h + ", :");
        NDArray v = fused.get(h + ":, :");
        NDArray a = x.matMul(w1.transpose());
        NDArray activated = which.equals("swiglu")
                ? a.div(a.neg().exp().add(1f)) // x * sigmoid(x)
                : a.mul(a.div((float) Math.sqrt(2)).erf().add(1f)).mul(0.5f); // exact GELU
        NDArray expected = activated.mul(x.matMul(v.transpose())).matMul(weight(block, "out").transpose());
        assertThat(relativeError(actual, expected)).isLessThan(1e-4f);
    }

    @ParameterizedTest
    @CsvSource({"polynorm", "polyrelu"})
    void polynomialActivationsMatchThePaper(String which) {
        Params params = Params.of(Map.of("expansion", 2));
        BuildContext ctx = context(8, true);
        Block block = initialized(which.equals("polynorm") ? new PolyNormComponent().build(ctx, params)
                : new PolyReluComponent().build(ctx, params), manager, SMALL);
        // Unequal coefficients, so the test sees which power each one multiplies.
        float[] a = {0.7f, -0.4f, 0.25f};
        float b = 0.3f;
        block.getDirectParameters().get("coefficients").getArray().set(a);
        block.getDirectParameters().get("bias").getArray().set(new float[] {b});
        NDArray x = manager.randomNormal(SMALL).mul(2f);
        NDArray actual = forward(block, manager, x, false);

        NDArray z = x.matMul(weight(block, "up").transpose()).add(bias(block, "up"));
        NDArray poly = manager.full(z.getShape(), b);
        for (int i = 1; i <= 3; i++) {
            NDArray term;
            if (which.equals("polynorm")) {
                NDArray power = z.pow(i); // the paper's form: norm(z^i) with norm(u) = u / sqrt(mean(u^2) + eps)
                term = power.div(power.square().mean(new int[] {-1}, true).add(1e-6f).sqrt());
            } else {
                term = z.maximum(0f).pow(i);
            }
            poly = poly.add(term.mul(a[i - 1]));
        }
        NDArray expected = poly.matMul(weight(block, "down").transpose()).add(bias(block, "down"));
        assertThat(relativeError(actual, expected)).isLessThan(1e-4f);
    }

    @Test
    void polyNormIsFiniteWhereThePapersFormOverflows() {
        Params params = Params.of(Map.of("expansion", 2));
        Block block = initialized(new PolyNormComponent().build(context(8, true), params), manager, SMALL);
        NDArray x = manager.randomNormal(SMALL).mul(1e7f);
        NDArray z = x.matMul(weight(block, "up").transpose());
        assertThat(z.pow(6).isInfinite().any().getBoolean()).as("mean(z^6) overflows in the paper's form").isTrue();
        NDArray y = forward(block, manager, x, true);
        assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).isFalse();
    }
}
