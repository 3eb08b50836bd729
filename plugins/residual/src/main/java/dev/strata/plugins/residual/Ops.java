package dev.strata.plugins.residual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import dev.strata.api.Params;

/** Small helpers the residual operators share. */
final class Ops {

    private static final int[] LAST_AXIS = {-1};

    /** Added to the mean square before the root: keeps an all-zero vector finite. */
    static final float RMS_EPSILON = 1e-6f;

    private Ops() {}

    /** Runs a (B, T, D) -> (B, T, D) block on one array. */
    static NDArray apply(ParameterStore store, Block block, NDArray x, boolean training) {
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    /** Parameter-free RMS normalisation over the last axis. */
    static NDArray rmsNormalize(NDArray x) {
        return x.mul(x.square().mean(LAST_AXIS, true).add(RMS_EPSILON).pow(-0.5f));
    }

    /** A trainable parameter of a fixed shape, initialised to a constant. */
    static Parameter constant(String name, Shape shape, float value) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(new ConstantInitializer(value)).build();
    }

    /** A trainable parameter of a fixed shape, initialised to the given values (row-major). */
    static Parameter fixed(String name, Shape shape, float[] values) {
        if (values.length != shape.size()) {
            throw new IllegalStateException(name + ": " + values.length + " initial values for shape " + shape);
        }
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(new ValuesInitializer(values)).build();
    }

    /** A trainable parameter of a fixed shape with the given initializer. */
    static Parameter initialized(String name, Shape shape, Initializer initializer) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(initializer).build();
    }

    /** The value of an integer dimension, or its default when the caller left it out. */
    static int intParam(Params params, String name, int defaultValue) {
        return params.has(name) ? params.getInt(name) : defaultValue;
    }

    /** The value of a real dimension, or its default when the caller left it out. */
    static double doubleParam(Params params, String name, double defaultValue) {
        return params.has(name) ? params.getDouble(name) : defaultValue;
    }

    /** The value of a choice dimension, or its default when the caller left it out. */
    static String stringParam(Params params, String name, String defaultValue) {
        return params.has(name) ? params.getString(name) : defaultValue;
    }

    /** Fills a parameter with fixed values (identity-style initialisations). Deterministic. */
    private record ValuesInitializer(float[] values) implements Initializer {
        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            NDArray a = manager.create(values, shape);
            return dataType == DataType.FLOAT32 ? a : a.toType(dataType, false);
        }
    }
}
