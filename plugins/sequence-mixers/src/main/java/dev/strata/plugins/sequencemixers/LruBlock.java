package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * A Linear Recurrent Unit with real diagonal decays on (B, T, d), N states:
 *
 * <pre>
 *   h_t = lambda * h_{t-1} + gamma * (B x_t),   lambda = exp(-exp(nu)) in (0, 1), gamma = exp(gamma_log)
 *   y_t = C h_t + D * x_t
 * </pre>
 *
 * <p>Initialised as in the paper: |lambda|^2 uniform in [r_min^2, r_max^2], gamma = sqrt(1 - lambda^2),
 * B ~ N(0, 1/d), C ~ N(0, 1/N), D ~ N(0, 1). Computed in chunks of {@code chunk} steps: inside a chunk
 * one constant decay matrix {@code lambda^(t-s)} (s <= t) per state, shared by the whole batch, and
 * a Java loop over the chunks carries the (B, N) state. Exponents are {@code (t - s) log lambda <= 0}.
 */
final class LruBlock extends SequenceBlock {

    static final double R_MIN = 0.0;
    static final double R_MAX = 0.99;
    /**
     * Ceiling of nu: log(lambda) = -exp(nu) >= -30. A decay of e^-30 per step is 0 to float precision;
     * the ceiling keeps exp(nu) and its gradient finite.
     */
    private static final float MAX_NU = (float) Math.log(30);

    private final int states;
    private final int chunk;
    private final Parameter nu;
    private final Parameter gammaLog;
    private final Parameter input;
    private final Parameter output;
    private final Parameter skip;

    LruBlock(int dModel, int states, int chunk) {
        this.states = states;
        this.chunk = chunk;
        Shape n = new Shape(states);
        // nu = log(-0.5 log(U (r_max^2 - r_min^2) + r_min^2)), so that |lambda|^2 is uniform in [r_min^2, r_max^2].
        this.nu = addParameter(Seq.parameter("nu_log", Parameter.Type.OTHER, n,
                (manager, shape, type) -> manager.randomUniform(0f, 1f, shape, type).neg().add(1) // (0, 1]
                        .mul(R_MAX * R_MAX - R_MIN * R_MIN).add(R_MIN * R_MIN).log().mul(-0.5).log()));
        // gamma = sqrt(1 - lambda^2) from the nu just drawn (parameters initialise in the order added).
        this.gammaLog = addParameter(Seq.parameter("gamma_log", Parameter.Type.OTHER, n,
                (manager, shape, type) -> logDecay(nu.getArray()).mul(2).exp().neg().add(1).sqrt().log()
                        .toType(type, false)));
        this.input = addParameter(Seq.parameter("b", Parameter.Type.WEIGHT, new Shape(states, dModel),
                new NormalInitializer((float) (1 / Math.sqrt(dModel)))));
        this.output = addParameter(Seq.parameter("c", Parameter.Type.WEIGHT, new Shape(dModel, states),
                new NormalInitializer((float) (1 / Math.sqrt(states)))));
        this.skip = addParameter(Seq.parameter("d", Parameter.Type.OTHER, new Shape(dModel), new NormalInitializer(1f)));
    }

    /** log(lambda) = -exp(min(nu, {@link #MAX_NU})). */
    static NDArray logDecay(NDArray nu) {
        return nu.minimum(MAX_NU).exp().neg();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        NDArray v = Linear.linear(x, store.getValue(input, device, training)).singletonOrThrow()
                .mul(store.getValue(gammaLog, device, training).exp()); // (B, T, N)
        NDArray h = scan(v, logDecay(store.getValue(nu, device, training)), chunk);
        NDArray y = Linear.linear(h, store.getValue(output, device, training)).singletonOrThrow();
        return new NDList(y.add(x.mul(store.getValue(skip, device, training))));
    }

    /**
     * {@code h_t = exp(logDecay) * h_{t-1} + v_t} over axis 1 of (B, T, N), h_{-1} = 0, in chunks.
     */
    static NDArray scan(NDArray v, NDArray logDecay, int chunk) {
        Shape shape = v.getShape();
        long batch = shape.get(0);
        long seq = shape.get(1);
        long states = shape.get(2);
        int len = (int) Math.min(chunk, seq);
        long pad = Seq.padding(seq, len);
        long chunks = (seq + pad) / len;
        NDManager manager = v.getManager();
        var device = v.getDevice();

        // lag[t, s] = t - s where s <= t, and the mask keeping those entries.
        NDArray positions = manager.arange(0f, len, 1f, DataType.FLOAT32, device);
        NDArray lag = positions.reshape(len, 1).sub(positions.reshape(1, len));
        NDArray keep = lag.gte(0f).toType(DataType.FLOAT32, false);
        // (N, L, L): lambda^(t-s) below and on the diagonal, 0 above (exponent clipped to <= 0 first).
        NDArray decay = lag.maximum(0f).expandDims(0).mul(logDecay.reshape(states, 1, 1)).exp().mul(keep);
        // (B, K, N, L, 1) -> intra-chunk states from a zero start, (B, K, N, L)
        NDArray chunked = Seq.padTime(v, 0, pad).reshape(batch, chunks, len, states).transpose(0, 1, 3, 2);
        NDArray h = decay.matMul(chunked.expandDims(4)).squeeze(4);
        if (chunks > 1) {
            // Entering chunk k: H_k = lambda^L * H_{k-1} + end state of chunk k-1; adds lambda^(t+1) H_{k-1}.
            NDArray ends = h.get(new NDIndex().addAllDim(3).addIndices(len - 1)); // (B, K, N)
            NDArray total = logDecay.mul(len).exp();
            NDList entering = new NDList((int) chunks);
            NDArray carry = manager.zeros(new Shape(batch, states), v.getDataType(), device);
            for (int k = 0; k < chunks; k++) {
                entering.add(carry);
                if (k + 1 < chunks) {
                    carry = carry.mul(total).add(ends.get(new NDIndex().addAllDim().addIndices(k)));
                }
            }
            NDArray powers = positions.add(1f).reshape(1, len).mul(logDecay.reshape(states, 1)).exp(); // (N, L)
            h = h.add(NDArrays.stack(entering, 1).expandDims(3).mul(powers));
        }
        NDArray out = h.transpose(0, 1, 3, 2).reshape(batch, chunks * len, states);
        return pad == 0 ? out : Seq.steps(out, 0, seq);
    }
}
