package dev.strata.core.training;

import dev.strata.api.Component;
import dev.strata.api.ComponentKind;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.model.CandidateModel;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.ComponentRegistry;

/**
 * An analytic estimate of the training FLOPs per token of a candidate (the {@code flops_per_token}
 * metric). It is an estimate, not a measurement: it counts the matrix multiplies, nothing else.
 *
 * <p>The formula is the usual one of Kaplan et al. 2020 ("Scaling Laws for Neural Language
 * Models", section 2.1, table 1) in the form of the PaLM paper's appendix B (Chowdhery et al. 2022):
 *
 * <pre>
 *   forward  = 2 N  +  2 x 2 x seq x d_model x (attention layers)
 *   training = 3 x forward          (backward ~ 2 x forward)
 * </pre>
 *
 * <ul>
 *   <li>{@code N}: the parameters a token uses through matrix multiplies, taken as every trainable
 *       parameter except the token and position embedding tables (a table look-up costs no
 *       multiply-adds). The LM head is counted (it is a matrix multiply); biases and norm gains are
 *       counted too (they are negligible and not worth a special case). A component whose parameters
 *       are not all used by every token (a mixture of experts) is over-counted: all its experts
 *       count.
 *   <li>The attention term: per layer with score-matrix attention, {@code Q K^T} and
 *       {@code softmax(.) V} cost {@code 2 x seq x d_model} FLOPs each per token. That is a layer whose
 *       token mixer is an attention component ({@link ComponentKind#ATTENTION}) that does not declare
 *       linear complexity ({@code O(n)}): softmax attention and its variants (sigmoid attention,
 *       sliding window, which the built-in plugin computes as a banded mask over the full scores).
 *       Linear attention and other token mixers (state-space models, convolutions) count only their
 *       parameters.
 *   <li>Causal masking is NOT applied: a causal model computes (and would need) only about half of
 *       the score matrix, but the count uses the full {@code seq}, as PaLM's formula does, because
 *       the dense kernels here compute the full matrix and mask it.
 *   <li>{@code seq} is the task's sequence length (what the trial trains on).
 * </ul>
 */
public final class FlopsPerToken {

    private FlopsPerToken() {}

    /**
     * @param matmulParameters trainable parameters excluding the embedding tables
     * @param attentionLayers layers with score-matrix attention
     * @param sequenceLength tokens per sequence
     * @param dModel model width
     * @return estimated training FLOPs per token: 3 x (2 N + 4 seq d_model L_attn)
     */
    public static double training(long matmulParameters, int attentionLayers, int sequenceLength, int dModel) {
        return 3 * forward(matmulParameters, attentionLayers, sequenceLength, dModel);
    }

    /** The forward pass alone: 2 N + 2 x 2 x seq x d_model per attention layer. */
    public static double forward(long matmulParameters, int attentionLayers, int sequenceLength, int dModel) {
        return 2.0 * matmulParameters + 4.0 * sequenceLength * (double) dModel * attentionLayers;
    }

    /** The estimate for a composed, initialised model of {@code architecture}. */
    public static double of(CandidateModel model, Architecture architecture, ComponentRegistry registry) {
        long matmul = model.parameterCount() - model.embeddingParameterCount();
        return training(matmul, attentionLayers(architecture, registry), model.maxSequenceLength(), model.dModel());
    }

    /** Layers whose token mixer is score-matrix attention (see the class comment). */
    static int attentionLayers(Architecture architecture, ComponentRegistry registry) {
        int n = 0;
        for (LayerSpec layer : architecture.layers()) {
            Component c = registry.find(layer.tokenMixer().id()).map(ComponentInfo::component).orElse(null);
            if (c != null && c.kind() == ComponentKind.ATTENTION && !"O(n)".equals(c.complexity().replace(" ", ""))) n++;
        }
        return n;
    }
}
