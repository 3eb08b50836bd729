package dev.strata.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** {@link FlatAdamW} against AdamW computed by hand, as torch.optim.AdamW and clip_grad_norm_ define them. */
class FlatAdamWTest {

    /** Gradients of {@code sum(c_m * m) + sum(c_b * b)}: c_m for the matrix, c_b for the bias. */
    private static void backward(Parameter matrix, Parameter bias, float[] cm, float[] cb) {
        NDManager m = matrix.getArray().getManager();
        try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
            NDArray loss = matrix.getArray().mul(m.create(cm, new Shape(2, 2))).sum()
                    .add(bias.getArray().mul(m.create(cb, new Shape(2))).sum());
            c.backward(loss);
        }
    }

    private static Parameter param(NDManager m, String name, float[] values, Shape shape) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray a = m.create(values, shape);
        a.setRequiresGradient(true);
        p.setArray(a);
        return p;
    }

    @Test
    void twoStepsMatchAdamWByHandAndGradientsStartFromZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter matrix = param(m, "w", new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2));
            Parameter bias = param(m, "b", new float[] {0.1f, -0.1f}, new Shape(2));
            FlatAdamW adam = new FlatAdamW(new Parameter[] {matrix, bias}, 0.1f, m);
            float[] cm = {0.3f, -0.4f, 0.0f, 1.2f};
            float[] cb = {-0.5f, 0.25f};
            double[] w = {1, -2, 0.5, 3, 0.1, -0.1};
            double[] mean = new double[6];
            double[] var = new double[6];
            double[] g = {0.3, -0.4, 0.0, 1.2, -0.5, 0.25};
            double lr = 0.01;
            for (int t = 1; t <= 2; t++) {
                backward(matrix, bias, cm, cb);
                float norm = adam.step((float) lr, 0f);
                assertThat((double) norm).isCloseTo(Math.sqrt(0.09 + 0.16 + 1.44 + 0.25 + 0.0625), within(1e-5));
                for (int i = 0; i < 6; i++) {
                    if (i < 4) w[i] *= 1 - lr * 0.1; // decoupled decay on the matrix only
                    mean[i] = 0.9 * mean[i] + 0.1 * g[i];
                    var[i] = 0.999 * var[i] + 0.001 * g[i] * g[i];
                    double denom = Math.sqrt(var[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                    w[i] -= lr / (1 - Math.pow(0.9, t)) * mean[i] / denom;
                }
                // Same gradient every step: only true if the previous one was zeroed (libtorch accumulates).
                float[] got = matrix.getArray().toFloatArray();
                float[] gotBias = bias.getArray().toFloatArray();
                for (int i = 0; i < 4; i++) assertThat((double) got[i]).as("w[%d] after step %d", i, t).isCloseTo(w[i], within(1e-5));
                for (int i = 0; i < 2; i++) assertThat((double) gotBias[i]).as("b[%d] after step %d", i, t).isCloseTo(w[4 + i], within(1e-5));
                assertThat(matrix.getArray().getGradient().abs().sum().getFloat()).isZero();
            }
        }
    }

    @Test
    void clipsTheGlobalNormAndReportsItUnclipped() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter matrix = param(m, "w", new float[] {0f, 0f, 0f, 0f}, new Shape(2, 2));
            Parameter bias = param(m, "b", new float[] {0f, 0f}, new Shape(2));
            FlatAdamW adam = new FlatAdamW(new Parameter[] {matrix, bias}, 0f, m);
            backward(matrix, bias, new float[] {3f, 0f, 0f, 0f}, new float[] {4f, 0f}); // norm 5
            float norm = adam.step(1f, 1f);
            assertThat(norm).isCloseTo(5f, within(1e-5f));
            // Adam's update is scale-free, so the clipping shows in the first moment: 0.1 x g x 1/5.
            float[] mean = adam.firstMoment();
            assertThat(mean[0]).isCloseTo(0.06f, within(1e-6f));
            assertThat(mean[4]).isCloseTo(0.08f, within(1e-6f));
            assertThat(mean[1]).isZero();
        }
    }
}
