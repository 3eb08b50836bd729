package dev.strata.plugins.sequencemixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.testkit.BlockTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** mixer.token_shift, mixer.lmu and mixer.lru against step-by-step references. */
class RecurrentMixersTest {

    private static final int B = 2;
    private static final int D = 8;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(9);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @ParameterizedTest(name = "gate {0}")
    @ValueSource(strings = {"none", "receptance"})
    void tokenShiftMixesThePreviousPosition(String gate) {
        int seq = 6;
        TokenShiftComponent component = new TokenShiftComponent();
        Block block = BlockTesting.initialized(component.build(SequenceMixerFamilyTest.context(D, seq, true),
                SequenceMixerFamilyTest.params(component, "gate", gate)), manager, new Shape(B, seq, D));
        NDArray x = manager.randomNormal(new Shape(B, seq, D));
        NDArray previous = manager.zeros(new Shape(B, 1, D)).concat(x.get(":, :" + (seq - 1) + ", :"), 1);
        NDArray mu = Naive.parameter(block, "mix");
        NDArray v = x.mul(mu).add(previous.mul(mu.neg().add(1))).matMul(Naive.parameter(block, "value").transpose());
        NDArray expected = v;
        if (gate.equals("receptance")) {
            NDArray muR = Naive.parameter(block, "receptance_mix");
            NDArray r = Activation.sigmoid(x.mul(muR).add(previous.mul(muR.neg().add(1)))
                    .matMul(Naive.parameter(block, "receptance").transpose()));
            expected = r.mul(v).matMul(Naive.parameter(block, "output").transpose());
        }
        assertThat(Naive.relativeError(BlockTesting.forward(block, manager, x, false), expected)).isLessThan(1e-5f);
    }

    @Test
    void tokenShiftStartsFromRwkvMixingRatios() {
        // Layer 1 of 2: mu = (i/d)^0.5, mu_v = (i/d)^0.5 + 0.3, mu_r = (i/d)^0.25.
        BuildContext ctx = new BuildContext(D, 8, true, 1, 2, new BlockTesting.MapLayerState());
        TokenShiftComponent component = new TokenShiftComponent();
        Block gated = BlockTesting.initialized(component.build(ctx, SequenceMixerFamilyTest.params(component, "gate", "receptance")),
                manager, new Shape(1, 8, D));
        float[] muV = Naive.parameter(gated, "mix").toFloatArray();
        float[] muR = Naive.parameter(gated, "receptance_mix").toFloatArray();
        for (int i = 0; i < D; i++) {
            assertThat(muV[i]).isCloseTo((float) (Math.pow(i / (double) D, 0.5) + 0.3), offset(1e-6f));
            assertThat(muR[i]).isCloseTo((float) Math.pow(i / (double) D, 0.25), offset(1e-6f));
        }
    }

    /** ZOH discretisation checked against a fine Euler integration of theta m' = A m + B u. */
    @Test
    void legendreImpulseResponseIsTheZeroOrderHoldOfTheContinuousSystem() {
        int q = 5;
        double theta = 7;
        double[][] ab = Legendre.augmented(q, theta);
        float[] h = Legendre.impulseResponse(q, theta, 3);
        double[] m = new double[q];
        int steps = 200_000;
        double dt = 1.0 / steps;
        for (int k = 0; k < 3; k++) {
            double u = k == 0 ? 1 : 0; // unit input held over the first step only
            for (int s = 0; s < steps; s++) {
                double[] dm = new double[q];
                for (int i = 0; i < q; i++) {
                    double v = ab[i][q] * u;
                    for (int j = 0; j < q; j++) {
                        v += ab[i][j] * m[j];
                    }
                    dm[i] = v;
                }
                for (int i = 0; i < q; i++) {
                    m[i] += dt * dm[i];
                }
            }
            for (int i = 0; i < q; i++) {
                assertThat(h[k * q + i]).as("H[%d][%d]", k, i).isCloseTo((float) m[i], offset(1e-4f));
            }
        }
    }

    /**
     * The Legendre memory holds the window (Voelker et al., eq. 3, shifted Legendre polynomials at 0
     * and 1): {@code sum_i (-1)^i m_i ~ u(t)} and {@code sum_i m_i ~ u(t - theta)}.
     */
    @Test
    void legendreMemoryReconstructsTheWindow() {
        int q = 12;
        int theta = 20;
        int seq = 120;
        float[] h = Legendre.impulseResponse(q, theta, seq);
        double maxNow = 0;
        double maxDelayed = 0;
        for (int t = 60; t < seq; t++) {
            double now = 0;
            double delayed = 0;
            for (int i = 0; i < q; i++) {
                double mi = 0;
                for (int k = 0; k <= t; k++) {
                    mi += h[k * q + i] * input(t - k);
                }
                now += (i % 2 == 0 ? 1 : -1) * mi;
                delayed += mi;
            }
            // The input is held over each step, so the window ends with step t and starts half-way into step t - theta + 1.
            maxNow = Math.max(maxNow, Math.abs(now - input(t)));
            maxDelayed = Math.max(maxDelayed, Math.abs(delayed - input(t - theta + 0.5)));
        }
        assertThat(maxNow).isLessThan(0.01);
        assertThat(maxDelayed).isLessThan(0.01);
    }

    private static double input(double t) {
        return Math.sin(2 * Math.PI * t / 60);
    }

    /** The FFT convolution against the recurrence m_t = Abar m_{t-1} + Bbar u_t, then the readout. */
    @ParameterizedTest(name = "T={0} q={1} theta={2}")
    @CsvSource({"1, 4, 8", "13, 4, 8", "40, 6, 5"})
    void lmuMatchesTheRecurrence(int seq, int q, int theta) {
        LmuComponent component = new LmuComponent();
        Block block = BlockTesting.initialized(component.build(SequenceMixerFamilyTest.context(D, seq, true),
                SequenceMixerFamilyTest.params(component, "order", q, "theta", theta)), manager, new Shape(B, seq, D));
        NDArray x = manager.randomNormal(new Shape(B, seq, D));
        double[] u = Naive.values(x.matMul(Naive.parameter(block, "encoder").transpose()));
        double[][] e = Legendre.expm(Legendre.augmented(q, theta));
        double[] memory = new double[B * seq * D * q];
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < D; c++) {
                double[] m = new double[q];
                for (int t = 0; t < seq; t++) {
                    double ut = u[(b * seq + t) * D + c];
                    double[] next = new double[q];
                    for (int i = 0; i < q; i++) {
                        double v = e[i][q] * ut;
                        for (int j = 0; j < q; j++) {
                            v += e[i][j] * m[j];
                        }
                        next[i] = v;
                    }
                    m = next;
                    for (int i = 0; i < q; i++) {
                        memory[((b * seq + t) * D + c) * q + i] = m[i];
                    }
                }
            }
        }
        NDArray expected = Naive.array(manager, memory, new Shape(B, seq, (long) D * q))
                .matMul(Naive.parameter(block, "readout").transpose()).add(Naive.parameter(block, "readout_bias"));
        assertThat(Naive.relativeError(BlockTesting.forward(block, manager, x, false), expected)).isLessThan(1e-4f);
    }

    @ParameterizedTest(name = "T={0} chunk={1}")
    @CsvSource({"1, 16", "5, 16", "16, 16", "37, 16", "37, 4"})
    void lruScanMatchesTheRecurrence(int seq, int chunk) {
        int n = 5;
        NDArray v = manager.randomNormal(new Shape(B, seq, n));
        NDArray logDecay = manager.randomUniform(-3f, -0.001f, new Shape(n));
        double[] vs = Naive.values(v);
        double[] lambda = Naive.values(logDecay.exp());
        double[] expected = new double[vs.length];
        for (int b = 0; b < B; b++) {
            double[] h = new double[n];
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < n; i++) {
                    int at = (b * seq + t) * n + i;
                    h[i] = lambda[i] * h[i] + vs[at];
                    expected[at] = h[i];
                }
            }
        }
        assertThat(Naive.relativeError(LruBlock.scan(v, logDecay, chunk), Naive.array(manager, expected, v.getShape())))
                .isLessThan(1e-4f);
    }

    @Test
    void lruBlockIsTheNormalisedRecurrencePlusSkip() {
        int seq = 19;
        LruComponent component = new LruComponent();
        Block block = BlockTesting.initialized(component.build(SequenceMixerFamilyTest.context(D, seq, true),
                SequenceMixerFamilyTest.params(component, "state", 6)), manager, new Shape(B, seq, D));
        NDArray x = manager.randomNormal(new Shape(B, seq, D));
        NDArray nu = Naive.parameter(block, "nu_log");
        NDArray gamma = Naive.parameter(block, "gamma_log").exp();
        NDArray lambda = nu.exp().neg().exp();
        // At initialisation gamma = sqrt(1 - lambda^2), |lambda| <= 0.99.
        assertThat(Naive.relativeError(gamma, lambda.square().neg().add(1).sqrt())).isLessThan(1e-5f);
        assertThat(lambda.max().getFloat()).isLessThanOrEqualTo(0.9901f);
        double[] v = Naive.values(x.matMul(Naive.parameter(block, "b").transpose()).mul(gamma));
        double[] l = Naive.values(lambda);
        double[] h = new double[v.length];
        for (int b = 0; b < B; b++) {
            double[] state = new double[6];
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < 6; i++) {
                    int at = (b * seq + t) * 6 + i;
                    state[i] = l[i] * state[i] + v[at];
                    h[at] = state[i];
                }
            }
        }
        NDArray expected = Naive.array(manager, h, new Shape(B, seq, 6)).matMul(Naive.parameter(block, "c").transpose())
                .add(x.mul(Naive.parameter(block, "d")));
        assertThat(Naive.relativeError(BlockTesting.forward(block, manager, x, false), expected)).isLessThan(1e-4f);
    }

    /** Sequences up to LmuBlock.TOEPLITZ_MAX use the matmul; the FFT path must give the same memory. */
    @Test
    void lmuToeplitzAndFftConvolutionsAgree() {
        try (NDManager m = NDManager.newBaseManager()) {
            LmuBlock block = new LmuBlock(8, 4, 12.0);
            NDArray u = m.randomNormal(new Shape(2, 37, 8));
            NDArray viaMatmul = block.memory(u, true);
            NDArray viaFft = block.memory(u, false);
            assertThat(viaMatmul.getShape()).isEqualTo(new Shape(2, 37, 8, 4));
            float scale = viaFft.abs().max().getFloat();
            assertThat(viaMatmul.sub(viaFft).abs().max().getFloat()).isLessThan(1e-4f * scale);
        }
    }
}
