package dev.strata.api;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.Supplier;

/**
 * State one model's layers share. Two lifetimes:
 *
 * <ul>
 *   <li>build time: {@link #shared(String, Supplier)} hands every layer the same object for a key
 *       (a group id for cross-layer K/V sharing, a shared configuration). A shared {@code Block}
 *       must be registered as a child by exactly one owner, or its parameters are updated twice.
 *   <li>one forward pass: the model records the embedding and each layer's output before the next
 *       layer runs, so depth operators (DenseFormer, attention over depth, hyper-connections) can
 *       read them, and layers can hand each other arrays by key (MLKV's shared keys and values).
 *       Everything here is cleared when the next forward pass begins.
 * </ul>
 *
 * <p>Forward passes of one model run on one thread, one at a time (DJL training is single-threaded
 * per worker), so implementations need no locking.
 */
public interface LayerState {

    /** The object stored under {@code key}, created by {@code factory} on first use. */
    <T> T shared(String key, Supplier<T> factory);

    /** The input of layer 0 (token plus position embedding) in the current forward pass. */
    NDArray embedding();

    /**
     * Outputs of the layers that already ran in this forward pass, in order (index i is layer i's
     * output). Inside layer k this has k entries.
     */
    List<NDArray> layerOutputs();

    /** Stores an array for later layers of this forward pass. */
    void put(String key, NDArray value);

    /** The array stored under {@code key} in this forward pass, or null. */
    NDArray get(String key);

    /**
     * Adds a scalar auxiliary loss (a mixture-of-experts load-balance term, say) that the trainer
     * adds to the task loss of this forward pass.
     */
    void addAuxiliaryLoss(NDArray scalar);
}
