package dev.strata.plugins.sequencemixers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.strata.testkit.BlockTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MambaTest {

    private static final int B = 2;
    private static final int C = 3;
    private static final int N = 4;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(3);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Sequences shorter than a chunk, exactly one, and several with a padded tail; delta up to 100x its usual size. */
    @ParameterizedTest(name = "T={0} chunk={1} delta x{2}")
    @CsvSource({"1, 16, 1", "5, 16, 1", "16, 16, 1", "37, 16, 1", "37, 4, 1", "37, 8, 30", "20, 16, 100"})
    void chunkedScanMatchesTheRecurrence(int seq, int chunk, float deltaScale) {
        NDArray x = manager.randomNormal(new Shape(B, seq, C));
        NDArray delta = Activation.softPlus(manager.randomNormal(new Shape(B, seq, C))).mul(deltaScale);
        NDArray a = manager.randomUniform(0.5f, 4f, new Shape(C, N)).neg();
        NDArray b = manager.randomNormal(new Shape(B, seq, N));
        NDArray c = manager.randomNormal(new Shape(B, seq, N));
        double[] expected = Naive.selectiveScan(Naive.values(x), Naive.values(delta), Naive.values(a), Naive.values(b),
                Naive.values(c), B, seq, C, N);
        NDArray actual = SelectiveScan.chunked(x, delta, a, b, c, chunk);
        assertThat(actual.getShape()).isEqualTo(new Shape(B, seq, C));
        assertThat(Naive.relativeError(actual, Naive.array(manager, expected, actual.getShape()))).isLessThan(1e-4f);
    }

    @ParameterizedTest(name = "T={0} chunk={1} dt x{2}")
    @CsvSource({"1, 16, 1", "7, 16, 1", "16, 16, 1", "37, 16, 1", "37, 4, 1", "37, 8, 30", "20, 16, 100"})
    void stateSpaceDualityMatchesTheRecurrence(int seq, int chunk, float dtScale) {
        int heads = 2;
        int headDim = 3;
        NDArray x = manager.randomNormal(new Shape(B, seq, heads * headDim));
        NDArray dt = Activation.softPlus(manager.randomNormal(new Shape(B, seq, heads))).mul(dtScale);
        NDArray a = manager.randomUniform(0.5f, 4f, new Shape(heads)).neg();
        NDArray b = manager.randomNormal(new Shape(B, seq, N));
        NDArray c = manager.randomNormal(new Shape(B, seq, N));
        double[] expected = Naive.stateSpaceDuality(Naive.values(x), Naive.values(dt), Naive.values(a), Naive.values(b),
                Naive.values(c), B, seq, heads, headDim, N);
        NDArray actual = StateSpaceDuality.chunked(x, dt, a, b, c, chunk);
        assertThat(actual.getShape()).isEqualTo(x.getShape());
        assertThat(Naive.relativeError(actual, Naive.array(manager, expected, actual.getShape()))).isLessThan(1e-4f);
    }

    @Test
    void scanStaysFiniteWhenDeltaIsHuge() {
        NDArray x = manager.randomNormal(new Shape(B, 40, C)).mul(1000);
        NDArray delta = manager.randomUniform(0f, 1e6f, new Shape(B, 40, C));
        NDArray a = manager.randomUniform(0.5f, 16f, new Shape(C, N)).neg();
        NDArray b = manager.randomNormal(new Shape(B, 40, N)).mul(1000);
        NDArray y = SelectiveScan.chunked(x, delta, a, b, b, 16);
        assertThat(y.isNaN().any().getBoolean()).isFalse();
        assertThat(y.isInfinite().any().getBoolean()).isFalse();
        NDArray y2 = StateSpaceDuality.chunked(x.get(":, :, :2"), delta.get(":, :, :1"), a.get(":1, 0"), b, b, 16);
        assertThat(y2.isNaN().any().getBoolean()).isFalse();
        assertThat(y2.isInfinite().any().getBoolean()).isFalse();
    }

    /** The whole block against projections, convolution and scan written out position by position. */
    @Test
    void blockMatchesAStepByStepReference() {
        int d = 16;
        int seq = 21;
        MambaComponent component = new MambaComponent();
        var params = SequenceMixerFamilyTest.params(component, "state", N, "expand", 2, "conv", 3);
        Block block = BlockTesting.initialized(component.build(SequenceMixerFamilyTest.context(d, seq, true), params),
                manager, new Shape(B, seq, d));
        NDArray u = manager.randomNormal(new Shape(B, seq, d));
        NDArray actual = BlockTesting.forward(block, manager, u, false);

        int e = 2 * d;
        int rank = 1; // ceil(16 / 16)
        NDArray xz = u.matMul(Naive.parameter(block, "in_proj").transpose());
        NDArray xIn = xz.get(":, :, :" + e);
        NDArray z = xz.get(":, :, " + e + ":");
        double[] conv = Naive.depthwiseConv(Naive.values(xIn), Naive.values(Naive.parameter(block, "conv_weight")),
                Naive.values(Naive.parameter(block, "conv_bias")), B, seq, e, 3, 2);
        for (int i = 0; i < conv.length; i++) {
            conv[i] = Naive.silu(conv[i]);
        }
        NDArray x = Naive.array(manager, conv, new Shape(B, seq, e));
        NDArray dbc = x.matMul(Naive.parameter(block, "x_proj").transpose());
        double[] delta = Naive.values(dbc.get(":, :, :" + rank).matMul(Naive.parameter(block, "dt_proj_weight").transpose())
                .add(Naive.parameter(block, "dt_proj_bias")));
        for (int i = 0; i < delta.length; i++) {
            delta[i] = Naive.softplus(delta[i]);
        }
        double[] aLog = Naive.values(Naive.parameter(block, "a_log"));
        double[] a = new double[aLog.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = -Math.exp(aLog[i]);
        }
        double[] scan = Naive.selectiveScan(conv, delta, a, Naive.values(dbc.get(":, :, " + rank + ":" + (rank + N))),
                Naive.values(dbc.get(":, :, " + (rank + N) + ":")), B, seq, e, N);
        double[] skip = Naive.values(Naive.parameter(block, "d"));
        double[] zs = Naive.values(z);
        for (int i = 0; i < scan.length; i++) {
            scan[i] = (scan[i] + skip[i % e] * conv[i]) * Naive.silu(zs[i]);
        }
        NDArray expected = Naive.array(manager, scan, new Shape(B, seq, e)).matMul(Naive.parameter(block, "out_proj").transpose());
        assertThat(Naive.relativeError(actual, expected)).isLessThan(1e-4f);
    }

    /** Mamba-2 end to end: projections, convolution, SSD recurrence, gated RMSNorm, written out step by step. */
    @Test
    void mamba2BlockMatchesAStepByStepReference() {
        int d = 8;
        int seq = 19;
        int e = 16;
        int heads = 4;
        int headDim = 4;
        Mamba2Component component = new Mamba2Component();
        var params = SequenceMixerFamilyTest.params(component, "state", N, "expand", 2, "head_dim", headDim, "conv", 3);
        Block block = BlockTesting.initialized(component.build(SequenceMixerFamilyTest.context(d, seq, true), params),
                manager, new Shape(B, seq, d));
        NDArray u = manager.randomNormal(new Shape(B, seq, d));
        NDArray actual = BlockTesting.forward(block, manager, u, false);

        NDArray projected = u.matMul(Naive.parameter(block, "in_proj").transpose()); // z | xBC | dt
        double[] conv = Naive.depthwiseConv(Naive.values(projected.get(":, :, " + e + ":" + (2 * e + 2 * N))),
                Naive.values(Naive.parameter(block, "conv_weight")), Naive.values(Naive.parameter(block, "conv_bias")),
                B, seq, e + 2 * N, 3, 2);
        for (int i = 0; i < conv.length; i++) {
            conv[i] = Naive.silu(conv[i]);
        }
        NDArray xbc = Naive.array(manager, conv, new Shape(B, seq, e + 2 * N));
        double[] x = Naive.values(xbc.get(":, :, :" + e));
        double[] dt = Naive.values(projected.get(":, :, " + (2 * e + 2 * N) + ":").add(Naive.parameter(block, "dt_bias")));
        for (int i = 0; i < dt.length; i++) {
            dt[i] = Naive.softplus(dt[i]);
        }
        double[] a = Naive.values(Naive.parameter(block, "a_log").exp().neg());
        double[] y = Naive.stateSpaceDuality(x, dt, a, Naive.values(xbc.get(":, :, " + e + ":" + (e + N))),
                Naive.values(xbc.get(":, :, " + (e + N) + ":")), B, seq, heads, headDim, N);
        double[] skip = Naive.values(Naive.parameter(block, "d"));
        double[] z = Naive.values(projected.get(":, :, :" + e));
        double[] w = Naive.values(Naive.parameter(block, "norm_weight"));
        for (int row = 0; row < B * seq; row++) {
            double squares = 0;
            for (int c = 0; c < e; c++) {
                int i = row * e + c;
                y[i] = (y[i] + skip[c / headDim] * x[i]) * Naive.silu(z[i]);
                squares += y[i] * y[i];
            }
            double scale = 1 / Math.sqrt(squares / e + 1e-5);
            for (int c = 0; c < e; c++) {
                y[row * e + c] *= scale * w[c];
            }
        }
        NDArray expected = Naive.array(manager, y, new Shape(B, seq, e)).matMul(Naive.parameter(block, "out_proj").transpose());
        assertThat(Naive.relativeError(actual, expected)).isLessThan(1e-4f);
    }

    @Test
    void initialisesAsThePaper() {
        Block block = BlockTesting.initialized(new MambaComponent().build(SequenceMixerFamilyTest.context(32, 8, true),
                SequenceMixerFamilyTest.params(new MambaComponent())), manager, new Shape(1, 8, 32));
        // A = -(1..N) in every channel (S4D-real), D = 1, softplus(dt bias) in [1e-3, 0.1].
        float[] aLog = Naive.parameter(block, "a_log").toFloatArray();
        for (int i = 0; i < aLog.length; i++) {
            assertThat(Math.exp(aLog[i])).isCloseTo(i % 8 + 1, org.assertj.core.data.Offset.offset(1e-4));
        }
        assertThat(Naive.parameter(block, "a_log").getShape().dimension()).isEqualTo(1);
        assertThat(Naive.parameter(block, "d").toFloatArray()).containsOnly(1f);
        NDArray dt = Activation.softPlus(Naive.parameter(block, "dt_proj_bias"));
        assertThat(dt.min().getFloat()).isGreaterThanOrEqualTo(0.99e-3f);
        assertThat(dt.max().getFloat()).isLessThanOrEqualTo(0.1001f);
    }
}
