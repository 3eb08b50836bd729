package dev.strata.core.model;

import ai.djl.ndarray.NDArray;
import dev.strata.api.LayerState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@link LayerState} of one {@link CandidateModel}: objects shared at build time, and the
 * arrays of the forward pass that is running (embedding, layer outputs, keyed arrays, auxiliary
 * losses), cleared when the next forward pass begins.
 *
 * <p>Forward passes of one model run on one thread, one at a time, so there is no locking.
 */
public final class ModelLayerState implements LayerState {

    private final Map<String, Object> shared = new HashMap<>();

    private NDArray embedding;
    private final List<NDArray> layerOutputs = new ArrayList<>();
    private final List<NDArray> layerOutputsView = Collections.unmodifiableList(layerOutputs);
    private final Map<String, NDArray> arrays = new HashMap<>();
    private final List<NDArray> auxiliaryLosses = new ArrayList<>();
    private final List<NDArray> auxiliaryLossesView = Collections.unmodifiableList(auxiliaryLosses);

    @Override
    @SuppressWarnings("unchecked")
    public <T> T shared(String key, Supplier<T> factory) {
        Objects.requireNonNull(key, "key");
        // Not computeIfAbsent: a factory may itself ask for another shared object.
        Object value = shared.get(key);
        if (value == null) {
            value = Objects.requireNonNull(factory.get(), () -> "shared factory for '" + key + "' returned null");
            shared.put(key, value);
        }
        return (T) value;
    }

    @Override
    public NDArray embedding() {
        if (embedding == null) {
            throw new IllegalStateException("no forward pass is running: the embedding is recorded by the model");
        }
        return embedding;
    }

    @Override
    public List<NDArray> layerOutputs() {
        return layerOutputsView;
    }

    @Override
    public void put(String key, NDArray value) {
        arrays.put(Objects.requireNonNull(key, "key"), value);
    }

    @Override
    public NDArray get(String key) {
        return arrays.get(key);
    }

    @Override
    public void addAuxiliaryLoss(NDArray scalar) {
        if (scalar.getShape().size() != 1) {
            throw new IllegalArgumentException("an auxiliary loss must be a scalar, got shape " + scalar.getShape());
        }
        auxiliaryLosses.add(scalar);
    }

    /** Auxiliary losses added during the current (or last) forward pass. */
    public List<NDArray> auxiliaryLosses() {
        return auxiliaryLossesView;
    }

    /** Starts a forward pass: forgets the previous one and records the embedding. */
    public void beginForward(NDArray embedding) {
        clearForward();
        this.embedding = embedding;
    }

    /** Records the output of the layer that just ran. */
    public void recordLayerOutput(NDArray output) {
        layerOutputs.add(output);
    }

    /** Forgets every array of the last forward pass (they may be closed after a training step). */
    public void clearForward() {
        embedding = null;
        layerOutputs.clear();
        arrays.clear();
        auxiliaryLosses.clear();
    }
}
