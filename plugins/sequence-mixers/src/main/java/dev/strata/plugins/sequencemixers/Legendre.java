package dev.strata.plugins.sequencemixers;

/**
 * The Legendre Memory Unit's linear time-invariant memory (Voelker et al., 2019), in double
 * precision: the continuous system {@code theta m'(t) = A m(t) + B u(t)} with
 *
 * <pre>
 *   A[i][j] = (2i + 1) * (i < j ? -1 : (-1)^(i - j + 1)),   B[i] = (2i + 1) * (-1)^i
 * </pre>
 *
 * whose state holds the Legendre coefficients of the last {@code theta} steps of u, discretised
 * with a zero-order hold over one step ({@code Abar = e^(A/theta)}, {@code Bbar = A^-1 (Abar - I) B / theta},
 * both read off the exponential of the augmented matrix [[A, B], [0, 0]] / theta), and its impulse
 * response {@code H[k] = Abar^k Bbar}: the memory is {@code m_t = sum_k H[k] u_{t-k}}.
 */
final class Legendre {

    private Legendre() {}

    /** Continuous A / theta and B / theta as the augmented (q+1) x (q+1) matrix [[A, B], [0, 0]]. */
    static double[][] augmented(int order, double theta) {
        double[][] m = new double[order + 1][order + 1];
        for (int i = 0; i < order; i++) {
            double scale = (2 * i + 1) / theta;
            for (int j = 0; j < order; j++) {
                m[i][j] = scale * (i < j ? -1 : ((i - j + 1) % 2 == 0 ? 1 : -1));
            }
            m[i][order] = scale * (i % 2 == 0 ? 1 : -1);
        }
        return m;
    }

    /** Impulse response H[k][i] = (Abar^k Bbar)[i] for k = 0..length-1, row-major (length, order), as floats. */
    static float[] impulseResponse(int order, double theta, int length) {
        double[][] e = expm(augmented(order, theta));
        double[] state = new double[order];
        for (int i = 0; i < order; i++) {
            state[i] = e[i][order]; // Bbar
        }
        float[] out = new float[length * order];
        double[] next = new double[order];
        for (int k = 0; k < length; k++) {
            for (int i = 0; i < order; i++) {
                out[k * order + i] = (float) state[i];
            }
            for (int i = 0; i < order; i++) {
                double s = 0;
                for (int j = 0; j < order; j++) {
                    s += e[i][j] * state[j]; // Abar
                }
                next[i] = s;
            }
            System.arraycopy(next, 0, state, 0, order);
        }
        return out;
    }

    /** Matrix exponential by scaling and squaring with a Taylor series (small, well-behaved matrices). */
    static double[][] expm(double[][] a) {
        int n = a.length;
        double norm = 0;
        for (double[] row : a) {
            double s = 0;
            for (double v : row) {
                s += Math.abs(v);
            }
            norm = Math.max(norm, s);
        }
        int squarings = Math.max(0, (int) Math.ceil(Math.log(norm / 0.25) / Math.log(2)));
        double scale = Math.pow(2, -squarings);
        double[][] x = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                x[i][j] = a[i][j] * scale;
            }
        }
        double[][] result = identity(n);
        double[][] term = identity(n);
        for (int k = 1; k <= 20; k++) {
            term = multiply(term, x);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    term[i][j] /= k;
                    result[i][j] += term[i][j];
                }
            }
        }
        for (int s = 0; s < squarings; s++) {
            result = multiply(result, result);
        }
        return result;
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int p = b[0].length;
        double[][] c = new double[n][p];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < b.length; k++) {
                double v = a[i][k];
                if (v != 0) {
                    for (int j = 0; j < p; j++) {
                        c[i][j] += v * b[k][j];
                    }
                }
            }
        }
        return c;
    }
}
