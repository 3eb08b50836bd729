package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * Talking-heads attention: two learned H x H maps mix the heads, one on the logits before the
 * softmax and one on the attention weights after it, so each head's pattern is a combination of
 * all heads' scores.
 *
 * <p>Both maps start as the identity (talking-heads starts as multi-head attention and learns to
 * mix). The causal mask is added after the logit mixing: mixing already-masked logits would
 * combine -1e9 entries with arbitrary signs. Mixing the weights after the softmax keeps masked
 * entries at exactly 0, since every head has a 0 at the same (query, key) pair.
 */
final class TalkingHeadsAttentionBlock extends ProjectedAttentionBlock {

    private final Parameter logitMix;
    private final Parameter weightMix;

    TalkingHeadsAttentionBlock(int dModel, int heads, boolean causal) {
        super(dModel, heads, causal);
        this.logitMix = addParameter(mixing("logit_mix", heads));
        this.weightMix = addParameter(mixing("weight_mix", heads));
    }

    private static Parameter mixing(String name, int heads) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(heads, heads))
                .optInitializer((manager, shape, type) -> manager.eye(heads, heads, 0, type))
                .build();
    }

    @Override
    protected NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training) {
        long seq = q.getShape().get(2);
        NDArray logitMixT = store.getValue(logitMix, q.getDevice(), training).transpose();
        NDArray weightMixT = store.getValue(weightMix, q.getDevice(), training).transpose();
        // The mixing works in a heads-last layout (B, T, T, H), where mixing is one GEMM with the
        // H x H matrix: logits[.., i] = sum_j logitMix[i, j] * scores[.., j]. Staying heads-last
        // through the mask, the softmax (over keys, axis 2) and the second mixing costs one copy
        // in and one out, instead of a transpose pair around each mixing.
        NDArray logits = Attention.scores(q.mul(scale()), k).transpose(0, 2, 3, 1).matMul(logitMixT);
        NDArray mask = Attention.causalMaskOrNull(causal, q, seq);
        if (mask != null) {
            logits = logits.add(mask.reshape(seq, seq, 1));
        }
        NDArray weights = logits.softmax(2).matMul(weightMixT); // (B, T, T, H)
        return weights.transpose(0, 3, 1, 2).matMul(v);
    }
}
