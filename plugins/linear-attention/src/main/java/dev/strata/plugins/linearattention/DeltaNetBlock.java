package dev.strata.plugins.linearattention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * DeltaNet: the delta rule {@code S_t = S_{t-1}(I - beta_t k_t k_t^T) + beta_t v_t k_t^T},
 * {@code o_t = S_t q_t}, with {@code q, k = l2norm(silu(x W))}, {@code v = silu(x W_v)},
 * {@code beta = sigmoid(x W_beta)} per head, then a per-head RMS norm and the output projection.
 *
 * <p>Training form: the chunked WY representation. Inside a chunk the pseudo-values
 * {@code U' = T (V - K h)} use {@code T = (I + tril(diag(beta) K K^T, -1))^-1 diag(beta)}; the
 * unit lower-triangular inverse is built by recursive doubling of diagonal block inverses
 * ({@link #unitLowerInverse}), log2(C) steps of small batched matmuls, no solver. A Java loop over chunks
 * carries the state {@code h} (Dk x Dv).
 */
final class DeltaNetBlock extends SequenceBlock {

    static final float NORM_EPSILON = 1e-5f;

    private final int dModel;
    private final int heads;
    private final int chunk;
    private final Linear proj; // x -> [q, k, v (d each), beta logits (heads)]
    private final Linear out;
    private final Parameter normGain;

    DeltaNetBlock(int dModel, int heads, int chunk) {
        this.dModel = dModel;
        this.heads = heads;
        this.chunk = chunk;
        this.proj = addChildBlock("proj", Linear.builder().setUnits(3L * dModel + heads).optBias(false).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).optBias(false).build());
        this.normGain = addParameter(Parameter.builder().setName("norm_gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel / heads)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray p = proj.forward(store, inputs, training).singletonOrThrow();
        int d = dModel;
        NDArray qkv = Ops.silu(p.get(":, :, :" + (3 * d)));
        NDArray q = Ops.l2Normalize(Ops.splitHeads(qkv.get(":, :, :" + d), heads));
        NDArray k = Ops.l2Normalize(Ops.splitHeads(qkv.get(":, :, " + d + ":" + (2 * d)), heads));
        NDArray v = Ops.splitHeads(qkv.get(":, :, " + (2 * d) + ":"), heads);
        NDArray beta = Activation.sigmoid(p.get(":, :, " + (3 * d) + ":")).transpose(0, 2, 1).expandDims(3); // (B, H, T, 1)

        NDArray o = chunked(q, k, v, beta, chunk);
        NDArray gain = store.getValue(normGain, x.getDevice(), training);
        return out.forward(store, new NDList(Ops.mergeHeads(Ops.rmsNorm(o, gain, NORM_EPSILON))), training);
    }

    /**
     * The delta rule for q, k (B, H, T, Dk), v (B, H, T, Dv) and beta (B, H, T, 1), chunked WY form;
     * {@code o_t = S_t q_t}. {@code chunk} must be a power of two.
     */
    static NDArray chunked(NDArray q, NDArray k, NDArray v, NDArray beta, int chunk) {
        return chunked(q, k, v, beta, null, chunk);
    }

    /**
     * The gated delta rule {@code S_t = S_{t-1} alpha_t (I - beta_t k_t k_t^T) + beta_t v_t k_t^T}
     * with per-step log-decays {@code logAlpha} (B, H, T, 1), <= 0, or the plain delta rule when
     * it is null. All decays are exponentials of differences of chunk-relative cumulative
     * log-decays that are <= 0: they never overflow.
     */
    static NDArray chunked(NDArray q, NDArray k, NDArray v, NDArray beta, NDArray logAlpha, int chunk) {
        long seq = q.getShape().get(2);
        int c = Ops.effectiveChunk(chunk, seq, true);
        long pad = Ops.padding(seq, c);
        NDArray qc = Ops.chunks(Ops.padTime(q, pad), c);
        NDArray kc = Ops.chunks(Ops.padTime(k, pad), c); // padded steps: k = 0, beta = 0
        NDArray vc = Ops.chunks(Ops.padTime(v, pad), c);
        NDArray bc = Ops.chunks(Ops.padTime(beta, pad), c);
        NDArray kt = kc.transpose(0, 1, 2, 4, 3);
        // g_t: cumulative log-decay inside the chunk (B, H, N, C, 1); gamma_t = exp(g_t).
        NDArray g = logAlpha == null ? null : Ops.chunks(Ops.padTime(logAlpha, pad), c).cumSum(3);

        NDArray kBeta = kc.mul(bc);
        // (I + tril(diag(beta) (Gamma * K K^T), -1))^-1 with Gamma_ts = exp(g_t - g_s)
        NDArray inverse = unitLowerInverse(kBeta, kc, g);
        NDArray w = inverse.matMul(g == null ? kBeta : kBeta.mul(Ops.decay(g))); // (B, H, N, C, Dk)
        NDArray u = inverse.matMul(vc.mul(bc)); // (B, H, N, C, Dv): pseudo-values for a zero start state
        NDArray causal = Ops.lowerMask(q, c, false);
        if (g != null) { // Gamma on and below the diagonal: exponents <= 0 there, clamped above and masked
            causal = Ops.decay(g.sub(g.transpose(0, 1, 2, 4, 3))).mul(causal);
        }
        NDArray scores = qc.matMul(kt).mul(causal); // tril(Q K^T * Gamma)

        long chunks = qc.getShape().get(2);
        NDArray result = scores.matMul(u);
        if (chunks > 1) {
            // With h the state at the chunk's start: U' = U - W h, O = diag(gamma) Q h + scores U',
            // h_next = gamma_C h + Kd^T U' = (gamma_C I - Kd^T W) h + Kd^T U, Kd_s = k_s gamma_C / gamma_s.
            NDArray identity = Ops.identity(q, (int) q.getShape().get(3));
            NDArray queries;
            NDArray keys;
            if (g == null) {
                queries = qc;
                keys = kt;
            } else {
                NDArray last = g.get(":, :, :, -1:"); // (B, H, N, 1, 1)
                queries = qc.mul(Ops.decay(g));
                keys = kc.mul(Ops.decay(last.sub(g))).transpose(0, 1, 2, 4, 3);
                identity = identity.mul(Ops.decay(last));
            }
            queries = queries.sub(scores.matMul(w)); // (B, H, N, C, Dk)
            NDArray transition = identity.sub(keys.matMul(w)); // (B, H, N, Dk, Dk)
            NDArray updates = keys.matMul(u); // (B, H, N, Dk, Dv)
            NDList transitionList = transition.split(chunks, 2);
            NDList updateList = updates.split(chunks, 2);
            NDList starts = new NDList((int) chunks);
            NDArray state = updates.getManager().zeros(updateList.get(0).getShape(), updates.getDataType(), updates.getDevice());
            for (int n = 0; n < chunks; n++) { // a loop over chunks, not tokens
                starts.add(state);
                if (n + 1 < chunks) {
                    state = n == 0 ? updateList.get(0) : transitionList.get(n).matMul(state).add(updateList.get(n));
                }
            }
            result = result.add(queries.matMul(NDArrays.concat(starts, 2)));
        }
        return Ops.unchunk(result, seq);
    }

    static NDArray unitLowerInverse(NDArray kBeta, NDArray k) {
        return unitLowerInverse(kBeta, k, null);
    }

    /**
     * {@code (I + tril(kBeta k^T, -1))^-1} for kBeta, k (..., C, Dk), C a power of two, by
     * recursive doubling of diagonal blocks: with X11 and X22 the inverses of two adjacent b x b
     * diagonal blocks, the inverse of the 2b x 2b block they form is
     * {@code [[X11, 0], [-X22 A21 X11, X22]]}, where {@code A21 = kBeta_2 k_1^T} is its lower-left
     * block. log2(C) steps of batched b x b matmuls, no solver. Every intermediate is a block of
     * the true inverse (bounded, since the delta rule is contractive), so nothing grows and cancels
     * as it does in the Neumann product {@code (I - L)(I + L^2)(I + L^4)...}.
     *
     * <p>With cumulative log-decays g (..., C, 1) the matrix is
     * {@code I + tril(kBeta k^T * exp(g_t - g_s), -1)}; the lower-left block's decay factors through
     * m, the last step of the block's first half: {@code exp(g_t - g_m) exp(g_m - g_s)}, both <= 1.
     */
    static NDArray unitLowerInverse(NDArray kBeta, NDArray k, NDArray g) {
        Shape s = k.getShape();
        int size = (int) s.get(s.dimension() - 2);
        long keyDim = s.get(s.dimension() - 1);
        Shape batch = s.slice(0, s.dimension() - 2);
        NDArray inverse = null; // (..., C / b, b, b): the diagonal blocks found so far
        for (int block = 1; block < size; block *= 2) {
            Shape pairs = batch.addAll(new Shape(size / (2L * block), 2, block, keyDim));
            NDList kBetaHalves = kBeta.reshape(pairs).split(2, batch.dimension() + 1);
            NDList kHalves = k.reshape(pairs).split(2, batch.dimension() + 1);
            int pairAxis = batch.dimension() + 1;
            NDArray rows = kBetaHalves.get(1).squeeze(pairAxis);
            NDArray columns = kHalves.get(0).squeeze(pairAxis);
            if (g != null) {
                NDList gHalves = g.reshape(batch.addAll(new Shape(size / (2L * block), 2, block, 1))).split(2, pairAxis);
                NDArray before = gHalves.get(0).squeeze(pairAxis); // (..., C / 2b, b, 1)
                NDArray middle = before.get(lastStep(before.getShape().dimension()));
                rows = rows.mul(Ops.decay(gHalves.get(1).squeeze(pairAxis).sub(middle)));
                columns = columns.mul(Ops.decay(middle.sub(before)));
            }
            NDArray lowerLeft = rows.matMul(swapLast(columns)); // (..., C / 2b, b, b)
            NDArray first;
            NDArray second;
            NDArray corner;
            if (inverse == null) { // 1 x 1 blocks of a unit triangle: 1
                first = lowerLeft.onesLike();
                second = first;
                corner = lowerLeft.neg();
            } else {
                NDList halves = inverse.reshape(batch.addAll(new Shape(size / (2L * block), 2, block, block))).split(2, pairAxis);
                first = halves.get(0).squeeze(pairAxis);
                second = halves.get(1).squeeze(pairAxis);
                corner = second.matMul(lowerLeft).matMul(first).neg();
            }
            NDArray top = NDArrays.concat(new NDList(first, first.zerosLike()), -1);
            NDArray bottom = NDArrays.concat(new NDList(corner, second), -1);
            inverse = NDArrays.concat(new NDList(top, bottom), -2); // (..., C / 2b, 2b, 2b)
        }
        if (inverse == null) {
            return k.getManager().ones(batch.addAll(new Shape(1, 1)), k.getDataType(), k.getDevice());
        }
        return inverse.reshape(batch.addAll(new Shape(size, size)));
    }

    /** Index of the last step on the second-to-last axis: ":, ..., :, -1:, :". */
    private static String lastStep(int dimensions) {
        return ":, ".repeat(dimensions - 2) + "-1:, :";
    }

    private static NDArray swapLast(NDArray x) {
        int n = x.getShape().dimension();
        int[] axes = new int[n];
        for (int i = 0; i < n; i++) {
            axes[i] = i;
        }
        axes[n - 2] = n - 1;
        axes[n - 1] = n - 2;
        return x.transpose(axes);
    }
}
