package dev.strata.plugins.sequencemixers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.strata.api.MixerComponent;
import dev.strata.testkit.BlockTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** mixer.short_conv, mixer.pool and mixer.hyena against position-by-position references. */
class ConvolutionMixersTest {

    private static final int B = 2;
    private static final int D = 8;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(5);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Block build(MixerComponent c, boolean causal, int seq, Object... params) {
        return BlockTesting.initialized(c.build(SequenceMixerFamilyTest.context(D, seq, causal),
                SequenceMixerFamilyTest.params(c, params)), manager, new Shape(B, seq, D));
    }

    @ParameterizedTest(name = "kernel {0}, {1}, causal {2}")
    @CsvSource({"4, mul, true", "4, silu, true", "3, none, true", "4, mul, false", "3, none, false", "1, mul, true"})
    void shortConvMatchesTheReference(int kernel, String gate, boolean causal) {
        int seq = 11;
        Block block = build(new ShortConvComponent(), causal, seq, "kernel", kernel, "gate", gate);
        NDArray x = manager.randomNormal(new Shape(B, seq, D));
        int left = causal ? kernel - 1 : kernel / 2;
        double[] conv = Naive.depthwiseConv(Naive.values(x), Naive.values(Naive.parameter(block, "conv_weight")),
                Naive.values(Naive.parameter(block, "conv_bias")), B, seq, D, kernel, left);
        NDArray w = Naive.parameter(block, "proj_weight");
        NDArray bias = Naive.parameter(block, "proj_bias");
        NDArray c = Naive.array(manager, conv, x.getShape());
        NDArray expected = switch (gate) {
            case "mul" -> c.mul(x.matMul(w.transpose()).add(bias));
            case "silu" -> c.mul(Activation.sigmoid(c)).mul(silu(x.matMul(w.transpose()).add(bias)));
            default -> c.matMul(w.transpose()).add(bias);
        };
        assertThat(Naive.relativeError(BlockTesting.forward(block, manager, x, false), expected)).isLessThan(1e-5f);
    }

    private static NDArray silu(NDArray v) {
        return v.mul(Activation.sigmoid(v));
    }

    @ParameterizedTest(name = "window {0}, causal {1}")
    @CsvSource({"3, true", "4, true", "3, false", "4, false", "9, true", "9, false"})
    void poolAveragesTheWindowInsideTheSequenceMinusX(int window, boolean causal) {
        int seq = 7;
        Block block = build(new PoolComponent(), causal, seq, "window", window);
        NDArray x = manager.randomNormal(new Shape(B, seq, D));
        double[] xs = Naive.values(x);
        double[] expected = new double[xs.length];
        int left = causal ? window - 1 : window / 2;
        int right = window - 1 - left;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < seq; t++) {
                for (int c = 0; c < D; c++) {
                    double sum = 0;
                    int count = 0;
                    for (int s = Math.max(0, t - left); s <= Math.min(seq - 1, t + right); s++) {
                        sum += xs[(b * seq + s) * D + c];
                        count++;
                    }
                    int i = (b * seq + t) * D + c;
                    expected[i] = sum / count - xs[i];
                }
            }
        }
        assertThat(Naive.relativeError(BlockTesting.forward(block, manager, x, true),
                Naive.array(manager, expected, x.getShape()))).isLessThan(1e-5f);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pool", "short_conv"})
    void nonCausalWindowsSeeTheNextPositionAndCausalOnesDoNot(String which) {
        MixerComponent c = which.equals("pool") ? new PoolComponent() : new ShortConvComponent();
        NDArray x = manager.randomNormal(new Shape(B, 8, D));
        assertThat(BlockTesting.futureLeak(build(c, false, 8), manager, x, 3)).isGreaterThan(1e-3f);
        assertThat(BlockTesting.futureLeak(build(c, true, 8), manager, x, 3)).isLessThan(1e-6f);
    }

    @ParameterizedTest(name = "T={0}")
    @ValueSource(ints = {1, 6, 33})
    void hyenaLongConvolutionIsTheCausalSum(int seq) {
        NDArray v = manager.randomNormal(new Shape(B, seq, D));
        NDArray h = manager.randomNormal(new Shape(seq, D));
        double[] vs = Naive.values(v);
        double[] hs = Naive.values(h);
        double[] expected = new double[vs.length];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < seq; t++) {
                for (int c = 0; c < D; c++) {
                    double s = 0;
                    for (int j = 0; j <= t; j++) {
                        s += hs[j * D + c] * vs[(b * seq + t - j) * D + c];
                    }
                    expected[(b * seq + t) * D + c] = s;
                }
            }
        }
        assertThat(Naive.relativeError(HyenaBlock.longConvolution(v, h), Naive.array(manager, expected, v.getShape())))
                .isLessThan(1e-5f);
    }

    /** The operator end to end, with the long convolution written as a sum over the past. */
    @Test
    void hyenaMatchesAStepByStepReference() {
        int seq = 10;
        Block block = build(new HyenaComponent(), true, seq, "filter_width", 8, "position_features", 5);
        NDArray u = manager.randomNormal(new Shape(B, seq, D));
        NDArray actual = BlockTesting.forward(block, manager, u, false);

        NDArray projected = u.matMul(Naive.parameter(block, "in_weight").transpose()).add(Naive.parameter(block, "in_bias"));
        double[] shortConv = Naive.depthwiseConv(Naive.values(projected), Naive.values(Naive.parameter(block, "short_weight")),
                Naive.values(Naive.parameter(block, "short_bias")), B, seq, 3 * D, 3, 2);
        // The filter: z_t = [t/(L-1), cos(f w_t), -sin(f w_t)], f = (1e-4, 1), w_t = 2 pi t / L, L = 10.
        double[] z = new double[seq * 5];
        for (int t = 0; t < seq; t++) {
            double w = 2 * Math.PI * t / seq;
            z[t * 5] = t / (double) (seq - 1);
            z[t * 5 + 1] = Math.cos(1e-4 * w);
            z[t * 5 + 2] = Math.cos(w);
            z[t * 5 + 3] = -Math.sin(1e-4 * w);
            z[t * 5 + 4] = -Math.sin(w);
        }
        NDArray hidden = Naive.array(manager, z, new Shape(seq, 5));
        NDArray freq = Naive.parameter(block, "filter_frequency");
        for (int i = 0; i < 3; i++) {
            hidden = hidden.matMul(Naive.parameter(block, "filter_weight_" + i).transpose())
                    .add(Naive.parameter(block, "filter_bias_" + i)).mul(freq).sin();
        }
        double[] h = Naive.values(hidden.matMul(Naive.parameter(block, "filter_weight_3").transpose()));
        double fast = Math.log(1e-2) / 0.3;
        double slow = Math.log(1e-2) / 1.5;
        for (int t = 0; t < seq; t++) {
            for (int c = 0; c < D; c++) {
                double rate = Math.abs(slow) + (Math.abs(fast) - Math.abs(slow)) * c / (D - 1);
                h[t * D + c] *= Math.exp(-(t / (double) (seq - 1)) * rate);
            }
        }
        double[] bias = Naive.values(Naive.parameter(block, "long_bias"));
        double[] y = new double[B * seq * D];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < seq; t++) {
                for (int c = 0; c < D; c++) {
                    double s = 0;
                    for (int j = 0; j <= t; j++) {
                        int src = (b * seq + t - j) * 3 * D;
                        s += h[j * D + c] * shortConv[src + 2 * D + c] * shortConv[src + D + c];
                    }
                    int at = (b * seq + t) * 3 * D;
                    s += bias[c] * shortConv[at + 2 * D + c] * shortConv[at + D + c];
                    y[(b * seq + t) * D + c] = s * shortConv[at + c];
                }
            }
        }
        NDArray expected = Naive.array(manager, y, u.getShape()).matMul(Naive.parameter(block, "out_weight").transpose())
                .add(Naive.parameter(block, "out_bias"));
        assertThat(Naive.relativeError(actual, expected)).isLessThan(1e-4f);
    }
}
