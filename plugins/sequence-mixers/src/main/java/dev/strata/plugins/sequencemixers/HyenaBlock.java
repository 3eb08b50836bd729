package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * The order-2 Hyena operator (Poli et al., 2023), as in the reference HyenaOperator:
 *
 * <pre>
 *   x0, x1, v = causal depthwise conv3(in_proj(u))        d -> 3d, short filter of length 3
 *   v  = x1 * v
 *   v  = causal long conv(v, h) + bias * v                h: (T, d), one filter per channel
 *   y  = out_proj(x0 * v)
 * </pre>
 *
 * <p>The long filter is implicit: {@code h = FFN(z_t) * exp(-t |delta_c|)}, where {@code z_t} is the
 * position embedding {@code [t, cos(f_j w_t), -sin(f_j w_t)]} ({@code t = i / (L - 1)},
 * {@code w_t = 2 pi i / L}, L the model's longest sequence, j = 1..bands) and the FFN is
 * {@code Linear(emb, F) sin Linear(F, F) sin Linear(F, F) sin Linear(F, d)} with one trainable
 * frequency per hidden unit shared by the three sines. The decay rates delta are fixed, spread
 * from log(0.01)/1.5 to log(0.01)/0.3 over the channels; the position embedding is a constant too.
 * The long convolution is an FFT product zero-padded to 2T, so it is linear (causal), not circular.
 */
final class HyenaBlock extends SequenceBlock {

    private static final double TARGET = 1e-2;
    private static final double FAST_DECAY_PCT = 0.3;
    private static final double SLOW_DECAY_PCT = 1.5;
    private static final int SHORT = 3;

    private final int dModel;
    private final int bands;
    private final int maxLength;
    private final Parameter inWeight;
    private final Parameter inBias;
    private final Parameter shortWeight;
    private final Parameter shortBias;
    private final Parameter[] filterWeights = new Parameter[4];
    private final Parameter[] filterBiases = new Parameter[3];
    private final Parameter frequency;
    private final Parameter longBias;
    private final Parameter outWeight;
    private final Parameter outBias;

    HyenaBlock(int dModel, int maxLength, int embedding, int width) {
        this.dModel = dModel;
        this.bands = (embedding - 1) / 2;
        this.maxLength = maxLength;
        this.inWeight = addParameter(Seq.parameter("in_weight", Parameter.Type.WEIGHT, new Shape(3L * dModel, dModel),
                Seq.fanInUniform(dModel)));
        this.inBias = addParameter(Seq.parameter("in_bias", Parameter.Type.BIAS, new Shape(3L * dModel),
                Seq.fanInUniform(dModel)));
        this.shortWeight = addParameter(Seq.parameter("short_weight", Parameter.Type.WEIGHT, new Shape(SHORT, 3L * dModel),
                Seq.fanInUniform(SHORT)));
        this.shortBias = addParameter(Seq.parameter("short_bias", Parameter.Type.BIAS, new Shape(3L * dModel),
                Seq.fanInUniform(SHORT)));
        int[] in = {embedding, width, width, width};
        int[] out = {width, width, width, dModel};
        for (int i = 0; i < 4; i++) {
            filterWeights[i] = addParameter(Seq.parameter("filter_weight_" + i, Parameter.Type.WEIGHT,
                    new Shape(out[i], in[i]), Seq.fanInUniform(in[i])));
            if (i < 3) {
                filterBiases[i] = addParameter(Seq.parameter("filter_bias_" + i, Parameter.Type.BIAS,
                        new Shape(out[i]), Seq.fanInUniform(in[i])));
            }
        }
        this.frequency = addParameter(Seq.parameter("filter_frequency", Parameter.Type.OTHER, new Shape(width),
                Initializer.ONES));
        this.longBias = addParameter(Seq.parameter("long_bias", Parameter.Type.OTHER, new Shape(dModel),
                new NormalInitializer(1f)));
        this.outWeight = addParameter(Seq.parameter("out_weight", Parameter.Type.WEIGHT, new Shape(dModel, dModel),
                Seq.fanInUniform(dModel)));
        this.outBias = addParameter(Seq.parameter("out_bias", Parameter.Type.BIAS, new Shape(dModel),
                Seq.fanInUniform(dModel)));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray u = inputs.singletonOrThrow();
        var device = u.getDevice();
        long seq = u.getShape().get(1);
        NDArray projected = Linear.linear(u, store.getValue(inWeight, device, training),
                store.getValue(inBias, device, training)).singletonOrThrow();
        NDList parts = Seq.depthwiseConv(projected, store.getValue(shortWeight, device, training),
                store.getValue(shortBias, device, training), SHORT - 1).split(3, 2);
        NDArray v = parts.get(2).mul(parts.get(1));
        NDArray h = filter(store, training, u, seq); // (T, d)
        v = longConvolution(v, h).add(v.mul(store.getValue(longBias, device, training)));
        NDArray y = parts.get(0).mul(v);
        return Linear.linear(y, store.getValue(outWeight, device, training), store.getValue(outBias, device, training));
    }

    /** {@code y_t = sum_{s <= t} h_{t-s} v_s} per channel, by FFT of length 2T: (B, T, d) and (T, d). */
    static NDArray longConvolution(NDArray v, NDArray h) {
        long seq = v.getShape().get(1);
        long n = 2 * seq;
        NDArray product = v.rfft(n, 1).mul(h.rfft(n, 0));
        return Seq.steps(product.irfft(n, 1), 0, seq);
    }

    /** The implicit filter (T, d): FFN of the position embedding times the fixed exponential decay. */
    private NDArray filter(ParameterStore store, boolean training, NDArray like, long seq) {
        var device = like.getDevice();
        NDManager manager = like.getManager();
        NDArray positions = manager.arange(0f, seq, 1f, DataType.FLOAT32, device).reshape(seq, 1);
        NDArray t = positions.div(Math.max(1, maxLength - 1));
        NDList features = new NDList(t);
        if (bands > 0) {
            NDArray w = positions.mul(2 * Math.PI / maxLength);
            NDArray f = bands == 1
                    ? manager.full(new Shape(1, 1), 1e-4f, DataType.FLOAT32, device)
                    : manager.linspace(1e-4f, bands - 1, bands, true, device).reshape(1, bands);
            NDArray angle = w.mul(f); // (T, bands)
            features.add(angle.cos());
            features.add(angle.sin().neg());
        }
        NDArray z = NDArrays.concat(features, 1); // (T, emb)
        NDArray freq = store.getValue(frequency, device, training);
        NDArray h = z;
        for (int i = 0; i < 3; i++) {
            h = Linear.linear(h, store.getValue(filterWeights[i], device, training),
                    store.getValue(filterBiases[i], device, training)).singletonOrThrow().mul(freq).sin();
        }
        h = Linear.linear(h, store.getValue(filterWeights[3], device, training)).singletonOrThrow(); // (T, d)
        double maxDecay = Math.log(TARGET) / FAST_DECAY_PCT;
        double minDecay = Math.log(TARGET) / SLOW_DECAY_PCT;
        NDArray rates = manager.linspace((float) Math.abs(minDecay), (float) Math.abs(maxDecay), dModel, true, device)
                .reshape(1, dModel);
        return h.mul(t.mul(rates).neg().exp());
    }
}
