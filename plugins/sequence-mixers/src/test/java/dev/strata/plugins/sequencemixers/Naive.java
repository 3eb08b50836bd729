package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/** Per-position reference implementations in double precision on small (B, T, C) float arrays. */
final class Naive {

    private Naive() {}

    /** max |actual - expected| / max |expected|. */
    static float relativeError(NDArray actual, NDArray expected) {
        return actual.sub(expected).abs().max().getFloat() / Math.max(1e-12f, expected.abs().max().getFloat());
    }

    static NDArray array(NDManager manager, double[] values, Shape shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return manager.create(f, shape);
    }

    static double[] values(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static NDArray parameter(Block block, String name) {
        return block.getParameters().get(name).getArray();
    }

    /**
     * The S6 recurrence one step at a time: x, delta (B, T, C), a (C, N), b, c (B, T, N); returns
     * y (B, T, C) without the D skip.
     */
    static double[] selectiveScan(double[] x, double[] delta, double[] a, double[] b, double[] c,
            int batch, int seq, int channels, int states) {
        double[] y = new double[batch * seq * channels];
        for (int bi = 0; bi < batch; bi++) {
            double[] h = new double[channels * states];
            for (int t = 0; t < seq; t++) {
                for (int ch = 0; ch < channels; ch++) {
                    int xi = (bi * seq + t) * channels + ch;
                    double sum = 0;
                    for (int n = 0; n < states; n++) {
                        int bn = (bi * seq + t) * states + n;
                        int hi = ch * states + n;
                        h[hi] = Math.exp(delta[xi] * a[hi]) * h[hi] + delta[xi] * b[bn] * x[xi];
                        sum += c[bn] * h[hi];
                    }
                    y[xi] = sum;
                }
            }
        }
        return y;
    }

    /**
     * The SSD recurrence one step at a time: x (B, T, H*P), dt (B, T, H), a (H), b, c (B, T, N);
     * H_t = exp(dt a) H_{t-1} + dt x_t B_t^T per head, y_t = H_t C_t. Returns y without the D skip.
     */
    static double[] stateSpaceDuality(double[] x, double[] dt, double[] a, double[] b, double[] c,
            int batch, int seq, int heads, int headDim, int states) {
        int width = heads * headDim;
        double[] y = new double[batch * seq * width];
        for (int bi = 0; bi < batch; bi++) {
            double[] h = new double[heads * headDim * states];
            for (int t = 0; t < seq; t++) {
                for (int hd = 0; hd < heads; hd++) {
                    double step = dt[(bi * seq + t) * heads + hd];
                    double decay = Math.exp(step * a[hd]);
                    for (int p = 0; p < headDim; p++) {
                        int xi = (bi * seq + t) * width + hd * headDim + p;
                        double sum = 0;
                        for (int n = 0; n < states; n++) {
                            int hi = (hd * headDim + p) * states + n;
                            int bn = (bi * seq + t) * states + n;
                            h[hi] = decay * h[hi] + step * x[xi] * b[bn];
                            sum += h[hi] * c[bn];
                        }
                        y[xi] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** Depthwise convolution y_t = sum_k w[k] x[t - left + k] (+ bias), zero outside; w (K, C). */
    static double[] depthwiseConv(double[] x, double[] w, double[] bias, int batch, int seq, int channels, int kernel,
            int left) {
        double[] y = new double[x.length];
        for (int bi = 0; bi < batch; bi++) {
            for (int t = 0; t < seq; t++) {
                for (int ch = 0; ch < channels; ch++) {
                    double s = bias == null ? 0 : bias[ch];
                    for (int k = 0; k < kernel; k++) {
                        int src = t - left + k;
                        if (src >= 0 && src < seq) {
                            s += w[k * channels + ch] * x[(bi * seq + src) * channels + ch];
                        }
                    }
                    y[(bi * seq + t) * channels + ch] = s;
                }
            }
        }
        return y;
    }

    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    static double softplus(double v) {
        return v > 20 ? v : Math.log1p(Math.exp(v));
    }
}
