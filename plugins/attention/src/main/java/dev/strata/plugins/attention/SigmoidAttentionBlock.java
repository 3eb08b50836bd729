package dev.strata.plugins.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;

/**
 * Sigmoid attention: {@code sigmoid(q k^T / sqrt(Dh) + b) v} with the fixed bias {@code b = -log(n)}.
 * Each weight is independent of the others (no normalisation across the row); the bias keeps the
 * row sum near 1 at initialisation, which the paper shows is what makes training stable.
 *
 * <p>n is the model's maximum sequence length, fixed at build time rather than the length of the
 * current batch, so that in causal mode the output at position t is the same for every prefix
 * containing t (a bias from the batch length would make it depend on how much follows). Hidden
 * positions get -1e9 before the sigmoid, which gives them a weight of exactly 0.
 */
final class SigmoidAttentionBlock extends ProjectedAttentionBlock {

    private final float bias;

    SigmoidAttentionBlock(int dModel, int heads, boolean causal, int maxSequenceLength) {
        super(dModel, heads, causal);
        this.bias = (float) -Math.log(maxSequenceLength);
    }

    @Override
    protected NDArray attend(ParameterStore store, NDArray q, NDArray k, NDArray v, boolean training) {
        NDArray logits = Attention.scores(q.mul(scale()), k).add(bias);
        NDArray mask = Attention.causalMaskOrNull(causal, q, q.getShape().get(2));
        if (mask != null) {
            logits = logits.add(mask);
        }
        return Activation.sigmoid(logits).matMul(v);
    }
}
