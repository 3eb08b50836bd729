package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * Differential attention: each head splits its query and key into two halves of width Dh/2, forms
 * two softmax maps, and attends with their difference {@code softmax(Q1 K1^T) - lambda softmax(Q2 K2^T)}
 * over values of full width Dh; common-mode attention ("noise" both maps share) cancels.
 *
 * <p>As in the paper: lambda is re-parameterised as
 * {@code exp(lq1 . lk1) - exp(lq2 . lk2) + lambda_init} with four learned Dh/2 vectors (N(0, 0.1)
 * initialisation) shared by the layer's heads, {@code lambda_init = 0.8 - 0.6 exp(-0.3 l)} for the
 * 0-based layer index l; each head's output goes through an RMS norm (learned gain of width Dh,
 * shared by the heads) and is scaled by {@code 1 - lambda_init} so the gradient scale matches
 * plain attention. Projections keep attention.mha's Q/K/V/O shapes (with biases) so that the
 * comparison with it is parameter for parameter.
 *
 * <p>Both maps are causally masked, so their difference is exactly 0 above the diagonal.
 */
final class DifferentialAttentionBlock extends ProjectedAttentionBlock {

    static final float EPSILON = 1e-5f;

    private final float lambdaInit;
    private final float halfScale;
    private final Parameter lambdaQ1;
    private final Parameter lambdaK1;
    private final Parameter lambdaQ2;
    private final Parameter lambdaK2;
    private final Parameter headGain;

    DifferentialAttentionBlock(int dModel, int heads, boolean causal, int layerIndex) {
        super(dModel, heads, causal);
        this.lambdaInit = lambdaInit(layerIndex);
        this.halfScale = (float) (1.0 / Math.sqrt(headDim / 2.0));
        this.lambdaQ1 = addParameter(lambda("lambda_q1"));
        this.lambdaK1 = addParameter(lambda("lambda_k1"));
        this.lambdaQ2 = addParameter(lambda("lambda_q2"));
        this.lambdaK2 = addParameter(lambda("lambda_k2"));
        this.headGain = addParameter(Parameter.builder().setName("head_gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(headDim)).optInitializer(new ConstantInitializer(1f)).build());
    }

    /** The paper's depth schedule: 0.2 at the first layer, approaching 0.8 deeper in the stack. */
    static float lambdaInit(int layerIndex) {
        return (float) (0.8 - 0.6 * Math.exp(-0.3 * layerIndex));
    }

    private Parameter lambda(String name) {
        return Parameter.builder().setName(name).setType(Parameter.Type.OTHER)
                .optShape(new Shape(headDim / 2)).optInitializer(new NormalInitializer(0.1f)).build();
    }

    @Override
    protected NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training) {
        long seq = q.getShape().get(2);
        // (B, H, T, Dh) -> (B, H, 2, T, Dh/2): halves 0 and 1 of each head give the two maps.
        NDArray q2 = halves(q).mul(halfScale);
        NDArray k2 = halves(k);
        NDArray scores = Attention.scores(q2, k2); // (B, H, 2, T, T)
        NDArray mask = Attention.causalMaskOrNull(causal, q, seq);
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDList maps = scores.softmax(-1).split(2, 2);
        NDArray lambda = lambda(store, q, training);
        NDArray weights = maps.get(0).sub(maps.get(1).mul(lambda)).squeeze(2); // (B, H, T, T)
        NDArray heads = weights.matMul(v); // (B, H, T, Dh)
        NDArray gain = store.getValue(headGain, q.getDevice(), training);
        return Attention.rmsNormalize(heads, EPSILON).mul(gain).mul(1f - lambdaInit);
    }

    private NDArray halves(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), s.get(2), 2, s.get(3) / 2).transpose(0, 1, 3, 2, 4);
    }

    /** exp(lq1 . lk1) - exp(lq2 . lk2) + lambda_init, a scalar. */
    private NDArray lambda(ParameterStore store, NDArray like, boolean training) {
        NDArray first = store.getValue(lambdaQ1, like.getDevice(), training)
                .mul(store.getValue(lambdaK1, like.getDevice(), training)).sum().exp();
        NDArray second = store.getValue(lambdaQ2, like.getDevice(), training)
                .mul(store.getValue(lambdaK2, like.getDevice(), training)).sum().exp();
        return first.sub(second).add(lambdaInit);
    }
}
