package dev.strata.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * An {@link NDScope} for one training step: closes every array created inside it, and until then
 * keeps alive the Java memory that CPU arrays created from Java data point into.
 *
 * <p>Why: on CPU, DJL's PyTorch engine creates arrays from Java data without copying
 * ({@code torch::from_blob} over a direct {@code ByteBuffer} that only the Java {@code NDArray}
 * references). {@code x.mul(2f)}, {@code div(Number)}, {@code pow(Number)} and friends wrap the number
 * in such an array, use it and close it at once; autograd keeps the scalar tensor for the backward
 * pass, but its memory now belongs to an unreachable buffer that the next garbage collection frees.
 * A collection between forward and backward then feeds freed memory into the gradients (measured:
 * gradients of 1e20..1e35 in the layers before a {@code mul(scale)}, at random steps; reproducible
 * by calling {@code System.gc()} between forward and backward). DJL 0.36.0 / PyTorch 2.7.1, CPU only:
 * on GPU the data is copied to the device. This scope pins each such buffer as the array registers
 * itself, and lets go when the step is over, after the backward pass.
 *
 * <p>If DJL's internals change so that the buffers cannot be found, the scope still works as a plain
 * {@link NDScope} and {@link #pinning()} says false.
 */
public final class StepScope extends NDScope {

    private static final VarHandle RESOURCES;
    private static final VarHandle DATA_REF;
    private static final Class<?> PT_ARRAY;

    static {
        VarHandle resources = null;
        VarHandle dataRef = null;
        Class<?> ptArray = null;
        try {
            resources = MethodHandles.privateLookupIn(NDScope.class, MethodHandles.lookup())
                    .findVarHandle(NDScope.class, "resources", IdentityHashMap.class);
            ptArray = Class.forName("ai.djl.pytorch.engine.PtNDArray");
            dataRef = MethodHandles.privateLookupIn(ptArray, MethodHandles.lookup())
                    .findVarHandle(ptArray, "dataRef", java.nio.ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            resources = null;
            dataRef = null;
            ptArray = null;
        }
        RESOURCES = resources;
        DATA_REF = dataRef;
        PT_ARRAY = ptArray;
    }

    private final List<Object> pinned = new ArrayList<>();

    public StepScope() {
        super();
        if (pinning()) {
            RESOURCES.set(this, new PinningMap());
        }
    }

    /** True if this DJL build lets the scope pin buffers (else it is a plain {@link NDScope}). */
    public static boolean pinning() {
        return RESOURCES != null && DATA_REF != null;
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            pinned.clear();
        }
    }

    /** The scope's registry of arrays, which also pins the Java memory of each array as it arrives. */
    private final class PinningMap extends IdentityHashMap<NDArray, NDArray> {
        @Override
        public NDArray put(NDArray key, NDArray value) {
            if (key != null && key.getClass() == PT_ARRAY) {
                Object buffer = DATA_REF.get(key);
                if (buffer != null) {
                    pinned.add(buffer);
                }
            }
            return super.put(key, value);
        }
    }
}
