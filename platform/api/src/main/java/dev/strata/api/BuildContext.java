package dev.strata.api;

/**
 * What a component knows about where it is being built.
 *
 * @param dModel width of the residual stream
 * @param maxSequenceLength longest sequence the model will see
 * @param causal true if position t may only read positions up to t
 * @param layerIndex index of the layer being built, from 0
 * @param depth number of layers in the model
 * @param state cross-layer state of the model being built (shared K/V, earlier layer outputs)
 */
public record BuildContext(
        int dModel, int maxSequenceLength, boolean causal, int layerIndex, int depth, LayerState state) {

    public BuildContext {
        if (dModel <= 0) throw new IllegalArgumentException("d_model must be positive, got " + dModel);
        if (maxSequenceLength <= 0) throw new IllegalArgumentException("max sequence length must be positive, got " + maxSequenceLength);
        if (layerIndex < 0 || layerIndex >= depth) throw new IllegalArgumentException("layer " + layerIndex + " outside depth " + depth);
    }

    /** The same context for another layer of the same model. */
    public BuildContext forLayer(int index) {
        return new BuildContext(dModel, maxSequenceLength, causal, index, depth, state);
    }
}
