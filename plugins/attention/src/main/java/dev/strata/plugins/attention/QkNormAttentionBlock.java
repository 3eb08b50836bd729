package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;

/**
 * Multi-head attention with RMS-normalised queries and keys. Normalising q and k per head bounds
 * every logit by {@code temperature * Dh * |g_q| |g_k|}, whatever the scale of the input, which
 * prevents the attention-entropy collapse (near one-hot softmax rows) that destabilises training.
 *
 * <p>Learned gains per head and channel ({@code g_q}, {@code g_k}, initialised to 1). The
 * temperature is either fixed at 1/sqrt(Dh) (ViT-22B) or a learned scalar (Henry et al.), the
 * latter initialised to {@code log2(L^2 - L) / Dh} for the model's maximum length L: Henry et al.
 * start g at log2(L^2 - L) for unit-norm (cosine) logits, and an RMS-normalised dot product is
 * Dh times the cosine.
 */
final class QkNormAttentionBlock extends ProjectedAttentionBlock {

    static final float EPSILON = 1e-6f;

    private final Parameter queryGain;
    private final Parameter keyGain;
    private final Parameter temperature;
    private final Shape gainShape;

    /** @param learnedTemperature initial learned temperature, or NaN for the fixed 1/sqrt(Dh) */
    QkNormAttentionBlock(int dModel, int heads, boolean causal, float learnedTemperature) {
        super(dModel, heads, causal);
        // Stored flat (d) so that the trainer treats them as gains (no weight decay on 1-D arrays).
        this.gainShape = new Shape(heads, 1, headDim);
        this.queryGain = addParameter(gain("query_gain", dModel));
        this.keyGain = addParameter(gain("key_gain", dModel));
        this.temperature = Float.isNaN(learnedTemperature) ? null
                : addParameter(Parameter.builder().setName("temperature").setType(Parameter.Type.OTHER)
                        .optShape(new Shape(1)).optInitializer(new ConstantInitializer(learnedTemperature)).build());
    }

    private static Parameter gain(String name, int dModel) {
        return Parameter.builder().setName(name).setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dModel)).optInitializer(new ConstantInitializer(1f)).build();
    }

    /** The initial learned temperature for a model of maximum length {@code maxLength}. */
    static float initialTemperature(int maxLength, int headDim) {
        double pairs = Math.max(2.0, (double) maxLength * maxLength - maxLength);
        return (float) (Math.log(pairs) / Math.log(2) / headDim);
    }

    @Override
    protected NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training) {
        NDArray gq = store.getValue(queryGain, q.getDevice(), training).reshape(gainShape);
        NDArray gk = store.getValue(keyGain, q.getDevice(), training).reshape(gainShape);
        NDArray qn = Attention.rmsNormalize(q, EPSILON).mul(gq);
        NDArray kn = Attention.rmsNormalize(k, EPSILON).mul(gk);
        // Scale q (B*H*T*Dh values) rather than the scores (B*H*T*T).
        qn = temperature == null ? qn.mul(scale()) : qn.mul(store.getValue(temperature, q.getDevice(), training));
        return Attention.softmaxAttend(qn, kn, v, Attention.causalMaskOrNull(causal, q, q.getShape().get(2)));
    }
}
