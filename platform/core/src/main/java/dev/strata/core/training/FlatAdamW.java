package dev.strata.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * AdamW with gradient clipping over all of a model's parameters at once, as PyTorch's
 * {@code torch.optim.AdamW} and {@code clip_grad_norm_} compute it.
 *
 * <p>Why not DJL's {@code Optimizer.adamW()}: it updates one parameter per call, about thirteen
 * small libtorch ops each plus Java bookkeeping, which on the quickstart's small models cost more
 * than a fifth of a step (docs/performance.md); and DJL neither zeroes gradients after an update
 * (libtorch accumulates them across backward passes) nor applies weight decay with the scheduled
 * learning rate as AdamW defines it. Here the gradients are gathered into one flat vector, so the
 * norm, the clipping and both moment updates are a dozen ops over all parameters; the update is then
 * split back into per-parameter views.
 *
 * <p>Per step, with {@code t} the 1-based update count: {@code g = clip(grads)};
 * {@code w *= 1 - lr * wd} (decayed parameters only); {@code m = b1 m + (1 - b1) g};
 * {@code v = b2 v + (1 - b2) g^2}; {@code w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)};
 * gradients are then zeroed.
 *
 * <p>Call {@link #step} with no gradient recording (after the gradient collector is closed) and
 * inside an {@code NDScope} that closes the step's temporaries; the moment buffers live in the
 * manager given to the constructor.
 */
final class FlatAdamW {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    private final Parameter[] params;
    private final Shape[] shapes;
    private final boolean[] decayed;
    private final long[] splits;
    private final float weightDecay;
    private final NDArray mean;
    private final NDArray variance;
    private int updates;

    /**
     * @param params the trainable parameters, initialised
     * @param weightDecay decoupled weight decay of matrices and embeddings (parameters with two or
     *     more axes); biases and norm gains get none
     * @param manager where the moment buffers live (the trial's root manager)
     */
    FlatAdamW(Parameter[] params, float weightDecay, NDManager manager) {
        this.params = params.clone();
        this.weightDecay = weightDecay;
        this.shapes = new Shape[params.length];
        this.decayed = new boolean[params.length];
        this.splits = new long[Math.max(0, params.length - 1)];
        long total = 0;
        for (int i = 0; i < params.length; i++) {
            shapes[i] = params[i].getArray().getShape();
            decayed[i] = shapes[i].dimension() >= 2;
            total += shapes[i].size();
            if (i < splits.length) splits[i] = total;
        }
        this.mean = manager.zeros(new Shape(total));
        this.variance = manager.zeros(new Shape(total));
    }

    /**
     * One update.
     *
     * @param lr the scheduled learning rate of this update
     * @param clip clip the global L2 norm of the gradients to this; 0 = no clipping
     * @return the global L2 norm of the gradients before clipping (not finite: nothing was updated)
     */
    float step(float lr, float clip) {
        NDList flat = new NDList(params.length);
        NDArray[] grads = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            grads[i] = params[i].getArray().getGradient();
            flat.add(grads[i].reshape(-1));
        }
        NDArray g = flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat);
        float norm = g.norm().getFloat();
        if (!Float.isFinite(norm)) return norm;
        if (clip > 0 && norm > clip) {
            g = g.mul(clip / (norm + 1e-6f));
        }
        updates++;
        double bias1 = 1 - Math.pow(BETA1, updates);
        double bias2 = 1 - Math.pow(BETA2, updates);
        mean.muli(BETA1).addi(g.mul(1 - BETA1));
        variance.muli(BETA2).addi(g.square().muli(1 - BETA2));
        // The floor keeps subnormal numbers out of sqrt: the second moments of rarely used parameters
        // decay into the subnormal range, where libtorch's CPU sqrt is 20x slower (measured: 0.8 ms
        // instead of 40 us on the quickstart's 88k parameters). sqrt(1e-30) = 1e-15 is far below eps.
        NDArray denominator = variance.maximum(1e-30f).sqrt().muli((float) (1 / Math.sqrt(bias2))).addi(EPSILON);
        NDArray update = mean.div(denominator).muli((float) (lr / bias1));
        NDList pieces = splits.length == 0 ? new NDList(update) : update.split(splits);
        float keep = 1 - lr * weightDecay;
        for (int i = 0; i < params.length; i++) {
            NDArray w = params[i].getArray();
            if (decayed[i] && weightDecay != 0) w.muli(keep);
            w.subi(pieces.get(i).reshape(shapes[i]));
            grads[i].subi(grads[i]); // libtorch adds each backward pass to the gradient: start the next step from zero
        }
        return norm;
    }

    /** The first moment, flat in parameter order (for tests). */
    float[] firstMoment() {
        return mean.toFloatArray();
    }
}
