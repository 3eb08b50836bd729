package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;

/** Tensor helpers shared by the sequence mixers; every array is {@code (batch, seq, channels)}. */
final class Seq {

    private Seq() {}

    /** A parameter of a fixed shape with its own initializer. */
    static Parameter parameter(String name, Parameter.Type type, Shape shape, Initializer initializer) {
        return Parameter.builder().setName(name).setType(type).optShape(shape).optInitializer(initializer).build();
    }

    /** PyTorch's default for linear and convolution weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    static Initializer fanInUniform(long fanIn) {
        return new UniformInitializer((float) (1.0 / Math.sqrt(fanIn)));
    }

    /** {@code x * sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** {@code x[:, from:to, :]}. */
    static NDArray steps(NDArray x, long from, long to) {
        return x.get(new NDIndex().addAllDim().addSliceDim(from, to));
    }

    /** Adds {@code left} zero steps before and {@code right} after axis 1 of (B, T, C). */
    static NDArray padTime(NDArray x, long left, long right) {
        if (left == 0 && right == 0) {
            return x;
        }
        Shape s = x.getShape();
        NDList parts = new NDList(3);
        if (left > 0) {
            parts.add(x.getManager().zeros(new Shape(s.get(0), left, s.get(2)), x.getDataType(), x.getDevice()));
        }
        parts.add(x);
        if (right > 0) {
            parts.add(x.getManager().zeros(new Shape(s.get(0), right, s.get(2)), x.getDataType(), x.getDevice()));
        }
        return NDArrays.concat(parts, 1);
    }

    /**
     * Depthwise convolution over time of (B, T, C) with a (K, C) kernel, as a sum of K shifted
     * slices (K is small): {@code y_t = sum_k w[k] * x[t - left + k]}, zero outside the sequence.
     * {@code left = K - 1} is causal (the last tap sees x_t, PyTorch's convention with padding
     * K - 1 and the output cut to T); {@code left = K / 2} centres the window.
     */
    static NDArray depthwiseConv(NDArray x, NDArray weight, NDArray bias, int left) {
        int k = (int) weight.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray padded = padTime(x, left, k - 1 - left);
        NDArray y = null;
        for (int i = 0; i < k; i++) {
            NDArray term = steps(padded, i, i + seq).mul(weight.get(i));
            y = y == null ? term : y.add(term);
        }
        return bias == null ? y : y.add(bias);
    }

    /** Taps before the current one of a window of {@code width}: all but one when causal, half when centred. */
    static int leftTaps(int width, boolean causal) {
        return causal ? width - 1 : width / 2;
    }

    /** Steps that make {@code seq} a multiple of {@code chunk}. */
    static long padding(long seq, int chunk) {
        return (chunk - seq % chunk) % chunk;
    }
}
