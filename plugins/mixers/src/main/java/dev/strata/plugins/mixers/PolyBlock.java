package dev.strata.plugins.mixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * {@code down(poly(up(x)))}: an MLP whose activation is a polynomial composition of order 3 with
 * learned coefficients (Zhuo et al., PolyCom). With {@code z = up(x)} and coefficients
 * {@code a_1..a_3} (initialised to 1/3) and {@code b} (initialised to 0):
 *
 * <ul>
 *   <li>PolyReLU: {@code sum_i a_i ReLU(z)^i + b};
 *   <li>PolyNorm: {@code sum_i a_i norm(z^i) + b} with {@code norm(u) = u / sqrt(mean(u^2) + eps)}
 *       over the hidden axis (the paper's code; the paper writes the L2 norm).
 * </ul>
 *
 * <p>Stability. PolyNorm is invariant to the scale of z (up to eps), so z is first divided by its
 * own RMS: the powers then stay below {@code h^(i/2)} and {@code mean(z^6)} cannot overflow for any
 * input scale (the paper's form overflows float32 once |z| passes about 1e6). PolyReLU has no
 * normalisation in the paper; ReLU(z) is clipped at {@link #RELU_CAP} so that the cube stays
 * below 1e12: the function is the paper's wherever z < 1e4, and stacked layers fed x1000 inputs
 * stay finite.
 */
final class PolyBlock extends SequenceBlock {

    /** Which polynomial composition. */
    enum Kind { POLYNORM, POLYRELU }

    static final int ORDER = 3;
    static final float EPSILON = 1e-6f;
    /** PolyReLU clips ReLU(z) here: the cube stays finite in float32 even after several layers. */
    static final float RELU_CAP = 1e4f;

    private static final int[] LAST_AXIS = {-1};
    private static final NDIndex[] COEFFICIENT = {new NDIndex(0), new NDIndex(1), new NDIndex(2)};

    private final Kind kind;
    private final Linear up;
    private final Linear down;
    private final Parameter coefficients;
    private final Parameter bias;

    PolyBlock(int dModel, int hidden, Kind kind) {
        this.kind = kind;
        this.up = addChildBlock("up", Linear.builder().setUnits(hidden).build());
        this.down = addChildBlock("down", Linear.builder().setUnits(dModel).build());
        this.coefficients = addParameter(Parameter.builder().setName("coefficients").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(ORDER)).optInitializer(new ConstantInitializer(1f / ORDER)).build());
        this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(1)).build());
    }

    /** The second linear sees the hidden width, not the block's input shape. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        up.initialize(manager, dataType, inputShapes[0]);
        down.initialize(manager, dataType, up.getOutputShapes(new Shape[] {inputShapes[0]})[0]);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray z = up.forward(store, inputs, training).singletonOrThrow();
        NDArray a = store.getValue(coefficients, z.getDevice(), training);
        NDArray b = store.getValue(bias, z.getDevice(), training);
        NDArray activated = kind == Kind.POLYNORM ? polyNorm(z, a, b) : polyRelu(z, a, b);
        return down.forward(store, new NDList(activated), training);
    }

    /**
     * {@code a_1 norm(z) + a_2 norm(z^2) + a_3 norm(z^3) + b}. With {@code s = z / sqrt(mean(z^2) +
     * eps)}, which is exactly {@code norm(z)}, the higher terms are {@code norm(s^i) = s^i /
     * sqrt(mean(s^2i) + eps)} (equal to the paper's {@code norm(z^i)} up to where eps enters). The
     * per-position factors {@code r_i = 1 / sqrt(mean(s^2i) + eps)} are (B, T, 1), so the sum is
     * evaluated by Horner's rule on full-size tensors: {@code s (a_1 + s (a_2 r_2 + s a_3 r_3)) + b}.
     */
    private static NDArray polyNorm(NDArray z, NDArray a, NDArray b) {
        NDArray s = z.mul(inverseRms(z.square()));
        NDArray s2 = s.square();
        NDArray s4 = s2.square();
        NDArray c2 = a.get(COEFFICIENT[1]).mul(inverseRms(s4));
        NDArray c3 = a.get(COEFFICIENT[2]).mul(inverseRms(s4.mul(s2)));
        return s.mul(c3).add(c2).mul(s).add(a.get(COEFFICIENT[0])).mul(s).add(b);
    }

    /** {@code 1 / sqrt(mean(u2) + eps)} over the last axis, for {@code u2} the square of u: (B, T, 1). */
    private static NDArray inverseRms(NDArray u2) {
        // pow(-0.5) is rsqrt in one op; DJL has no rsqrt of its own.
        return u2.mean(LAST_AXIS, true).add(EPSILON).pow(-0.5f);
    }

    /** {@code a_1 r + a_2 r^2 + a_3 r^3 + b} with {@code r = min(ReLU(z), cap)}, by Horner's rule. */
    private static NDArray polyRelu(NDArray z, NDArray a, NDArray b) {
        NDArray r = z.clip(0f, RELU_CAP);
        return r.mul(a.get(COEFFICIENT[2])).add(a.get(COEFFICIENT[1])).mul(r).add(a.get(COEFFICIENT[0])).mul(r).add(b);
    }
}
