package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;
import java.util.HashMap;
import java.util.Map;

/**
 * A parallel Legendre Memory Unit layer on (B, T, d) (Chilkuri and Eliasmith, 2021):
 *
 * <pre>
 *   u   = W_u x                               d -> d, no bias
 *   m_t = sum_{k <= t} H[k] u_{t-k}           per channel, H (T, q) the fixed LTI impulse response
 *   y   = W_m [m_t flattened over (d, q)] + b d*q -> d
 * </pre>
 *
 * <p>The memory has no trainable parameters: {@link Legendre} computes H once per sequence length in
 * double precision, and each forward pass turns the cached floats into a constant array. Up to
 * {@link #TOEPLITZ_MAX} positions the convolution is one batched matmul with the causal Toeplitz
 * matrices of H (measured 5x faster than the FFT on CPU at T 64: the FFT over a strided axis of a
 * (B, T, d, q) tensor is slow, the matmul is not); beyond, an FFT product of length 2T (linear, so
 * causal).
 */
final class LmuBlock extends SequenceBlock {

    private final int dModel;
    private final int order;
    private final double theta;
    private final Parameter encoder;
    private final Parameter readout;
    private final Parameter readoutBias;
    private final Map<Long, float[]> responses = new HashMap<>();
    private final Map<Long, float[]> toeplitz = new HashMap<>();

    /** Longest sequence convolved as a matmul; the Toeplitz constants are q * T^2 floats. */
    static final long TOEPLITZ_MAX = 256;

    LmuBlock(int dModel, int order, double theta) {
        this.dModel = dModel;
        this.order = order;
        this.theta = theta;
        this.encoder = addParameter(Seq.parameter("encoder", Parameter.Type.WEIGHT, new Shape(dModel, dModel),
                Seq.fanInUniform(dModel)));
        this.readout = addParameter(Seq.parameter("readout", Parameter.Type.WEIGHT, new Shape(dModel, (long) dModel * order),
                Seq.fanInUniform((long) dModel * order)));
        this.readoutBias = addParameter(Seq.parameter("readout_bias", Parameter.Type.BIAS, new Shape(dModel),
                Seq.fanInUniform((long) dModel * order)));
    }

    /** The impulse response (T, q) for this sequence length, from cached floats. */
    NDArray impulseResponse(NDArray like, long seq) {
        float[] h = responses.computeIfAbsent(seq, n -> Legendre.impulseResponse(order, theta, Math.toIntExact(n)));
        return like.getManager().create(h, new Shape(seq, order)).toDevice(like.getDevice(), false);
    }

    /** Causal Toeplitz matrices of the impulse response: M[j][t][s] = H[t - s][j] for s <= t, else 0. */
    NDArray toeplitz(NDArray like, long seq) {
        float[] m = toeplitz.computeIfAbsent(seq, len -> {
            int t = Math.toIntExact(len);
            float[] h = responses.computeIfAbsent(len, n -> Legendre.impulseResponse(order, theta, Math.toIntExact(n)));
            float[] out = new float[order * t * t];
            for (int j = 0; j < order; j++) {
                for (int row = 0; row < t; row++) {
                    for (int col = 0; col <= row; col++) {
                        out[(j * t + row) * t + col] = h[(row - col) * order + j];
                    }
                }
            }
            return out;
        });
        return like.getManager().create(m, new Shape(order, seq, seq)).toDevice(like.getDevice(), false);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        long n = 2 * seq;
        NDArray u = Linear.linear(x, store.getValue(encoder, device, training)).singletonOrThrow();
        NDArray memory = memory(u, seq <= TOEPLITZ_MAX).reshape(batch, seq, (long) dModel * order);
        return Linear.linear(memory, store.getValue(readout, device, training), store.getValue(readoutBias, device, training));
    }

    /** The Legendre memory of u (B, T, d) as (B, T, d, q): by one Toeplitz GEMM or by FFT. */
    NDArray memory(NDArray u, boolean viaMatmul) {
        long batch = u.getShape().get(0);
        long seq = u.getShape().get(1);
        if (viaMatmul) {
            // (q*T, T) @ (T, B*d) -> (q, T, B, d) -> (B, T, d, q)
            NDArray columns = u.transpose(1, 0, 2).reshape(seq, batch * dModel);
            return toeplitz(u, seq).reshape(order * seq, seq).matMul(columns)
                    .reshape(order, seq, batch, dModel).transpose(2, 1, 3, 0);
        }
        long n = 2 * seq;
        NDArray h = impulseResponse(u, seq).toType(u.getDataType(), false);
        // (B, T+1, d, 1) * (T+1, 1, q) in frequency, back to (B, 2T, d, q), first T steps.
        NDArray product = u.rfft(n, 1).expandDims(3).mul(h.rfft(n, 0).expandDims(1));
        return Seq.steps(product.irfft(n, 1), 0, seq);
    }
}
