package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Mamba's selective scan (S6) in chunked form. The recurrence, per channel c and state n:
 *
 * <pre>
 *   h_t[c,n] = exp(delta_t[c] * A[c,n]) * h_{t-1}[c,n] + delta_t[c] * B_t[n] * x_t[c]
 *   y_t[c]   = sum_n C_t[n] * h_t[c,n]
 * </pre>
 *
 * <p>The sequence is cut into chunks of {@code chunk} steps, all processed at once. Inside a chunk
 * the pairs (decay, state) are combined by log2(chunk) doubling steps (Hillis-Steele prefix scan
 * of the linear recurrence): after the step with offset k, position t holds the state from the
 * chunk start (up to 2k steps back) and the product of the decays since. Only products of decays in
 * (0, 1] and sums appear, so nothing can overflow however large delta gets, and the result is the
 * recurrence's own (no clamping). A Java loop over the chunks then carries the (B, C, N) state
 * from chunk to chunk.
 *
 * <p>Why not the per-chunk decay matrix {@code exp(S_t - S_s)}: with a decay per channel and state
 * it is a (B, T, L, C, N) tensor, L times the states themselves; on CPU it measured about 25 times
 * slower than this form at d 64, n 64. The work here is O(T log L * C * N).
 */
final class SelectiveScan {

    private SelectiveScan() {}

    /**
     * @param x     (B, T, C) input of the scan
     * @param delta (B, T, C) positive step sizes
     * @param a     (C, N) negative real diagonal of A
     * @param b     (B, T, N) input matrix per step
     * @param c     (B, T, N) output matrix per step
     * @param chunk steps per chunk
     * @return (B, T, C): {@code y} without the D skip
     */
    static NDArray chunked(NDArray x, NDArray delta, NDArray a, NDArray b, NDArray c, int chunk) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long seq = shape.get(1);
        long channels = shape.get(2);
        long states = a.getShape().get(1);
        int len = (int) Math.min(chunk, seq);
        long pad = Seq.padding(seq, len);
        long chunks = (seq + pad) / len;

        // Padded steps have delta 0 (decay 1) and input 0: they change no state and are cut off.
        // (B, K, L, C*N) for K chunks of L steps, steps on the matmul axis.
        NDArray dt = Seq.padTime(delta, 0, pad).reshape(batch, chunks, len, channels, 1);
        NDArray u = Seq.padTime(x.mul(delta), 0, pad).reshape(batch, chunks, len, channels, 1);
        NDArray bc = Seq.padTime(b, 0, pad).reshape(batch, chunks, len, 1, states);
        NDArray decay = dt.mul(a).exp().reshape(batch, chunks, len, channels * states); // in (0, 1]
        NDArray state = u.mul(bc).reshape(batch, chunks, len, channels * states);
        NDManager manager = x.getManager();
        NDArray positions = manager.arange(0f, len, 1f, DataType.FLOAT32, x.getDevice());
        NDArray lag = positions.reshape(len, 1).sub(positions.reshape(1, len)); // t - s
        for (int k = 1; k < len; k <<= 1) {
            // state_t += decay_t * state_{t-k}; decay_t *= decay_{t-k}   (t >= k; decay_{t-k} = 1 before the chunk)
            // The shift by k is a (L, L) 0/1 matmul, which back-propagates without scattering into zeros.
            NDArray shift = lag.eq(k).toType(x.getDataType(), false);
            NDArray before = positions.lt(k).toType(x.getDataType(), false).reshape(len, 1);
            NDArray next = state.add(decay.mul(shift.matMul(state)));
            if (chunks > 1 || 2 * k < len) {
                decay = decay.mul(shift.matMul(decay).add(before));
            }
            state = next;
        }
        state = state.reshape(batch, chunks, len, channels, states);
        if (chunks > 1) {
            decay = decay.reshape(batch, chunks, len, channels, states);
            // H_k = decay over chunk k * H_{k-1} + end state of chunk k; each chunk adds decay_t * H_{k-1}.
            NDArray ends = state.get(":, :, -1"); // (B, K, C, N)
            NDArray totals = decay.get(":, :, -1");
            NDList entering = new NDList((int) chunks);
            NDArray carry = manager.zeros(new Shape(batch, channels, states), x.getDataType(), x.getDevice());
            for (int k = 0; k < chunks; k++) {
                entering.add(carry);
                if (k + 1 < chunks) {
                    NDIndex chunkK = new NDIndex().addAllDim().addIndices(k);
                    carry = totals.get(chunkK).mul(carry).add(ends.get(chunkK));
                }
            }
            state = state.add(decay.mul(NDArrays.stack(entering, 1).expandDims(2)));
        }
        // y_t[c] = sum_n h_t[c, n] C_t[n]: (B, K, L, C, N) x (B, K, L, N, 1)
        NDArray cc = Seq.padTime(c, 0, pad).reshape(batch, chunks, len, states, 1);
        NDArray y = state.matMul(cc).reshape(batch, chunks * len, channels);
        return pad == 0 ? y : Seq.steps(y, 0, seq);
    }
}
