package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Mamba-2's SSD layer in chunked form (Dao and Gu, 2024, "ssd_minimal"). Per head h with a scalar
 * decay and P channels, and B, C shared by all heads:
 *
 * <pre>
 *   H_t = exp(dt_t[h] A[h]) H_{t-1} + dt_t[h] x_t[h] B_t^T      (P, N)
 *   y_t[h] = H_t C_t                                          (P)
 * </pre>
 *
 * <p>Inside a chunk of L steps: {@code Y = ((C B^T) .* exp(segsum(dt A))) (dt X)}, where the
 * segment sums {@code sum_{s < r <= t} dt_r A} are accumulated directly (masked cumulative sum, no
 * difference of large prefix sums) and the entries above the diagonal become exactly 0. Each chunk's
 * end state comes from decays {@code exp(S_last - S_s) <= 1}; a Java loop over the chunks carries
 * the (B, H, N, P) state, and its contribution to step t is decayed by {@code exp(S_t) <= 1}. All
 * exponents are <= 0.
 */
final class StateSpaceDuality {

    /** Added to the log-decays above the diagonal: exp of it is exactly 0, and it stays finite. */
    static final float MASKED = -1e30f;

    private StateSpaceDuality() {}

    /**
     * @param x     (B, T, H*P) inputs, P channels per head
     * @param dt    (B, T, H) positive step sizes
     * @param a     (H) negative decay rates
     * @param b     (B, T, N)
     * @param c     (B, T, N)
     * @param chunk steps per chunk
     * @return (B, T, H*P): y without the D skip
     */
    static NDArray chunked(NDArray x, NDArray dt, NDArray a, NDArray b, NDArray c, int chunk) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long seq = shape.get(1);
        long width = shape.get(2);
        long heads = a.getShape().get(0);
        long headDim = width / heads;
        long states = b.getShape().get(2);
        int len = (int) Math.min(chunk, seq);
        long pad = Seq.padding(seq, len);
        long chunks = (seq + pad) / len;
        NDManager manager = x.getManager();

        // Padded steps have dt 0 (decay 1, no input) and are cut off at the end.
        NDArray dth = Seq.padTime(dt, 0, pad).reshape(batch, chunks, len, heads).transpose(0, 1, 3, 2); // (B, K, H, L)
        NDArray xs = Seq.padTime(x, 0, pad).reshape(batch, chunks, len, heads, headDim).transpose(0, 1, 3, 2, 4)
                .mul(dth.expandDims(4)); // (B, K, H, L, P): dt * x
        NDArray bs = Seq.padTime(b, 0, pad).reshape(batch, chunks, len, states); // (B, K, L, N)
        NDArray cs = Seq.padTime(c, 0, pad).reshape(batch, chunks, len, states);
        NDArray logDecay = dth.mul(a.reshape(heads, 1)); // (B, K, H, L), <= 0
        NDArray cumulative = logDecay.cumSum(3);

        NDArray positions = manager.arange(0f, len, 1f, DataType.FLOAT32, x.getDevice());
        NDArray below = positions.reshape(len, 1).gt(positions.reshape(1, len)).toType(x.getDataType(), false); // s < t
        NDArray above = positions.reshape(1, len).gt(positions.reshape(len, 1)).toType(x.getDataType(), false).mul(MASKED);
        // segsum[t, s] = sum_{s < r <= t} logDecay_r: cumulative sum over t of logDecay_t kept where s < t.
        NDArray segment = logDecay.expandDims(4).mul(below).cumSum(3).add(above);
        NDArray scores = cs.matMul(bs.transpose(0, 1, 3, 2)).expandDims(2); // (B, K, 1, L, L): C_t . B_s
        NDArray y = scores.mul(segment.exp()).matMul(xs); // (B, K, H, L, P)

        if (chunks > 1) {
            NDArray last = cumulative.get(new NDIndex().addAllDim(3).addSliceDim(len - 1, len)); // (B, K, H, 1)
            // State at the end of each chunk from a zero start: sum_s exp(S_last - S_s) B_s (dt x)_s^T, as (N, P).
            NDArray ends = bs.transpose(0, 1, 3, 2).expandDims(2)
                    .matMul(xs.mul(last.sub(cumulative).exp().expandDims(4))); // (B, K, H, N, P)
            NDArray totals = last.squeeze(3).exp(); // (B, K, H)
            NDList entering = new NDList((int) chunks);
            NDArray carry = manager.zeros(new Shape(batch, heads, states, headDim), x.getDataType(), x.getDevice());
            for (int k = 0; k < chunks; k++) {
                entering.add(carry);
                if (k + 1 < chunks) {
                    NDIndex chunkK = new NDIndex().addAllDim().addIndices(k);
                    carry = carry.mul(totals.get(chunkK).reshape(batch, heads, 1, 1)).add(ends.get(chunkK));
                }
            }
            NDArray before = NDArrays.stack(entering, 1); // (B, K, H, N, P)
            y = y.add(cs.expandDims(2).matMul(before).mul(cumulative.exp().expandDims(4)));
        }
        NDArray out = y.transpose(0, 1, 3, 2, 4).reshape(batch, chunks * len, width);
        return pad == 0 ? out : Seq.steps(out, 0, seq);
    }
}
