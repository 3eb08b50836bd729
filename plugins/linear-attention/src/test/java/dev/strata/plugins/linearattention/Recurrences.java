package dev.strata.plugins.linearattention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Naive per-token references: each walks the sequence one position at a time and keeps the full
 * state, exactly as the papers write the recurrent form. Inputs are (B, H, T, E).
 */
final class Recurrences {

    private Recurrences() {}

    private static NDArray at(NDArray x, int t) {
        return x.get(":, :, " + t + ":" + (t + 1) + ", :"); // (B, H, 1, E)
    }

    private static NDArray state(NDArray k, NDArray v) {
        Shape ks = k.getShape();
        return k.getManager().zeros(new Shape(ks.get(0), ks.get(1), ks.get(3), v.getShape().get(3)));
    }

    /** S_t = S_{t-1} + k_t^T v_t, z_t = z_{t-1} + k_t, y_t = q_t S_t / (q_t z_t + eps). */
    static NDArray linear(NDArray q, NDArray k, NDArray v) {
        NDArray s = state(k, v);
        NDArray z = s.get(":, :, :, :1").mul(0);
        NDList out = new NDList();
        for (int t = 0; t < q.getShape().get(2); t++) {
            NDArray kt = at(k, t).transpose(0, 1, 3, 2);
            s = s.add(kt.matMul(at(v, t)));
            z = z.add(kt);
            out.add(at(q, t).matMul(s).div(at(q, t).matMul(z).add(LinearAttentionBlock.EPSILON)));
        }
        return NDArrays.concat(out, 2);
    }

    /** S_t = diag(exp(logAlpha_t)) S_{t-1} + k_t^T v_t, o_t = q_t S_t. */
    static NDArray gla(NDArray q, NDArray k, NDArray v, NDArray logAlpha) {
        NDArray s = state(k, v);
        NDList out = new NDList();
        for (int t = 0; t < q.getShape().get(2); t++) {
            NDArray decay = at(logAlpha, t).exp().transpose(0, 1, 3, 2); // (B, H, Dk, 1)
            s = s.mul(decay).add(at(k, t).transpose(0, 1, 3, 2).matMul(at(v, t)));
            out.add(at(q, t).matMul(s));
        }
        return NDArrays.concat(out, 2);
    }

    /**
     * The delta rule in the (Dk, Dv) orientation h = S^T:
     * h_t = h_{t-1} - beta_t k_t (k_t^T h_{t-1}) + beta_t k_t v_t^T, o_t = q_t h_t.
     */
    static NDArray deltaRule(NDArray q, NDArray k, NDArray v, NDArray beta) {
        NDArray h = state(k, v);
        NDList out = new NDList();
        for (int t = 0; t < q.getShape().get(2); t++) {
            NDArray kt = at(k, t);
            NDArray betaK = kt.transpose(0, 1, 3, 2).mul(at(beta, t)); // (B, H, Dk, 1)
            h = h.sub(betaK.matMul(kt.matMul(h))).add(betaK.matMul(at(v, t)));
            out.add(at(q, t).matMul(h));
        }
        return NDArrays.concat(out, 2);
    }

    /**
     * The gated delta rule, h = S^T: h_t = alpha_t (I - beta_t k_t k_t^T) h_{t-1} + beta_t k_t v_t^T,
     * o_t = q_t h_t; logAlpha (B, H, T, 1).
     */
    static NDArray gatedDeltaRule(NDArray q, NDArray k, NDArray v, NDArray beta, NDArray logAlpha) {
        NDArray h = state(k, v);
        NDList out = new NDList();
        for (int t = 0; t < q.getShape().get(2); t++) {
            NDArray kt = at(k, t);
            NDArray betaK = kt.transpose(0, 1, 3, 2).mul(at(beta, t)); // (B, H, Dk, 1)
            h = h.mul(at(logAlpha, t).exp());
            h = h.sub(betaK.matMul(kt.matMul(h))).add(betaK.matMul(at(v, t)));
            out.add(at(q, t).matMul(h));
        }
        return NDArrays.concat(out, 2);
    }

    /** S_t = gamma_h S_{t-1} + k_t^T v_t, o_t = q_t S_t; logGamma (H). */
    static NDArray retention(NDArray q, NDArray k, NDArray v, NDArray logGamma) {
        NDArray s = state(k, v);
        NDArray gamma = logGamma.exp().reshape(1, -1, 1, 1);
        NDList out = new NDList();
        for (int t = 0; t < q.getShape().get(2); t++) {
            s = s.mul(gamma).add(at(k, t).transpose(0, 1, 3, 2).matMul(at(v, t)));
            out.add(at(q, t).matMul(s));
        }
        return NDArrays.concat(out, 2);
    }

    /** max |actual - expected| / max |expected|. */
    static float relativeError(NDArray actual, NDArray expected) {
        return actual.sub(expected).abs().max().getFloat() / expected.abs().max().getFloat();
    }
}
