package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.Ops.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.LayerState;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;

/**
 * Hyper-connections: the residual stream is widened to {@code n} streams {@code H}. Each of the two sublayers {@code f} (token mixer after norm1, channel mixer
 * after norm2) is hyper-connected with its own connection matrix
 * {@code [[0, beta], [alpha_m, alpha_r]]}: the sublayer reads {@code h = alpha_m^T H}, the streams
 * are mixed by the width connections {@code alpha_r^T H}, and the output is added to every stream
 * with the depth weights {@code beta}: {@code H = beta f(h) + alpha_r^T H}.
 *
 * <p>Initialisation (the paper's, equal to pre-norm): {@code alpha_m = e_(m mod n)} for the paper's
 * sublayer index {@code m = 2 k + s}, {@code alpha_r = I}, {@code beta = 1}. Dynamic connections add
 * {@code s_alpha tanh(norm(H) W_alpha)} and {@code s_beta tanh(norm(H) W_beta)} per position, with
 * {@code W} initialised to 0 and the scales to 0.01; {@code norm} is a parameter-free RMS
 * normalisation (a learned gain would be redundant with {@code W}).
 *
 * <p>Layout: the streams are kept as {@code (B, T, D, n)} so that mixing them is one
 * {@code (B T D, n) x (n, n + 1)} matrix product (a broadcast {@code (n + 1, n) x (B, T, n, D)}
 * product runs as B T tiny products and is ~7x slower on CPU).
 *
 * <p>Streams pass between layers through the layer state: layer {@code k} stores its streams and
 * the array it returned (the sum of its streams); layer {@code k + 1} continues those streams only
 * if its input is that very array, otherwise it expands its input into {@code n} copies.
 */
final class HyperConnectionsBlock extends SequenceBlock {

    static final String STREAMS_KEY = "residual.hyper_connections/streams/";
    static final String OUTPUT_KEY = "residual.hyper_connections/output/";

    /** Initial value of the dynamic scales s_alpha and s_beta (the paper's). */
    static final float DYNAMIC_SCALE_INIT = 0.01f;

    private static final NDIndex FIRST = new NDIndex("..., 0");
    private static final NDIndex REST = new NDIndex("..., 1:");
    private static final int[] STREAM_AXIS = {3};
    private static final int[] WIDTH_AXIS = {2};

    private final int layer;
    private final int streams;
    private final LayerState state;
    private final Block norm1;
    private final Block tokenMixer;
    private final Block norm2;
    private final Block channelMixer;
    private final Connection tokenConnection;
    private final Connection channelConnection;

    HyperConnectionsBlock(Sublayers sublayers, int dModel, int layer, int streams, boolean dynamic, LayerState state) {
        this.layer = layer;
        this.streams = streams;
        this.state = state;
        this.norm1 = addChildBlock("norm1", sublayers.newNorm());
        this.tokenMixer = addChildBlock("token", sublayers.tokenMixer());
        this.norm2 = addChildBlock("norm2", sublayers.newNorm());
        this.channelMixer = addChildBlock("channel", sublayers.channelMixer());
        this.tokenConnection = new Connection("token", 2 * layer, dModel, dynamic);
        this.channelConnection = new Connection("channel", 2 * layer + 1, dModel, dynamic);
    }

    /** Own parameters of one hyper-connected sublayer. */
    static long connectionParameters(int dModel, int n, boolean dynamic) {
        long count = (long) n * (n + 1) + n;
        if (dynamic) {
            count += (long) dModel * (n + 1) + dModel + 2;
        }
        return count;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray h = previousStreams(x);
        if (h == null) {
            h = x.expandDims(3).repeat(3, streams); // (B, T, D, n): n copies of the input
        }
        h = tokenConnection.apply(store, h, norm1, tokenMixer, training);
        h = channelConnection.apply(store, h, norm2, channelMixer, training);
        NDArray y = h.sum(STREAM_AXIS);
        if (state != null) {
            state.put(STREAMS_KEY + layer, h);
            state.put(OUTPUT_KEY + layer, y);
        }
        return new NDList(y);
    }

    /** The streams of the previous layer if it was a hyper-connected layer whose output is {@code x}. */
    private NDArray previousStreams(NDArray x) {
        if (layer == 0 || state == null) {
            return null;
        }
        NDArray output = state.get(OUTPUT_KEY + (layer - 1));
        NDArray h = state.get(STREAMS_KEY + (layer - 1));
        if (output != x || h == null) {
            return null;
        }
        Shape s = h.getShape();
        Shape xs = x.getShape();
        boolean fits = s.dimension() == 4 && s.get(0) == xs.get(0) && s.get(1) == xs.get(1) && s.get(2) == xs.get(2)
                && s.get(3) == streams;
        return fits ? h : null;
    }

    /** The connection weights of one sublayer, registered as parameters of the enclosing block. */
    private final class Connection {
        private final boolean dynamic;
        private final Parameter alpha;
        private final Parameter beta;
        private final Parameter alphaFn;
        private final Parameter betaFn;
        private final Parameter alphaScale;
        private final Parameter betaScale;

        Connection(String name, int sublayerIndex, int dModel, boolean dynamic) {
            int n = streams;
            this.dynamic = dynamic;
            // Row i is stream i; column 0 is alpha_m (which streams the sublayer reads), columns
            // 1..n are alpha_r (stream i's contribution to each new stream).
            float[] a = new float[n * (n + 1)];
            a[(sublayerIndex % n) * (n + 1)] = 1f;
            for (int i = 0; i < n; i++) {
                a[i * (n + 1) + 1 + i] = 1f;
            }
            this.alpha = addParameter(Ops.fixed(name + "_static_alpha", new Shape(n, n + 1), a));
            this.beta = addParameter(Ops.constant(name + "_static_beta", new Shape(n, 1), 1f));
            if (dynamic) {
                this.alphaFn = addParameter(Ops.constant(name + "_dynamic_alpha_fn", new Shape(dModel, n + 1), 0f));
                this.betaFn = addParameter(Ops.constant(name + "_dynamic_beta_fn", new Shape(dModel, 1), 0f));
                this.alphaScale = addParameter(Ops.constant(name + "_dynamic_alpha_scale", new Shape(1), DYNAMIC_SCALE_INIT));
                this.betaScale = addParameter(Ops.constant(name + "_dynamic_beta_scale", new Shape(1), DYNAMIC_SCALE_INIT));
            } else {
                this.alphaFn = null;
                this.betaFn = null;
                this.alphaScale = null;
                this.betaScale = null;
            }
        }

        /** {@code H (B, T, D, n) -> beta f(alpha_m^T H) + alpha_r^T H} (per stream, over the last axis). */
        NDArray apply(ParameterStore store, NDArray h, Block norm, Block sublayer, boolean training) {
            var device = h.getDevice();
            Shape s = h.getShape();
            long batch = s.get(0);
            long seq = s.get(1);
            long width = s.get(2);
            int n = streams;
            NDArray a = store.getValue(alpha, device, training); // (n, n+1)
            NDArray b = store.getValue(beta, device, training).reshape(n); // over the stream axis
            NDArray mixed;
            if (dynamic) {
                // norm(H) W = (H W) / rms(H): the per-stream RMS is a scalar at each position.
                NDArray inverseRms = h.square().mean(WIDTH_AXIS, true).add(Ops.RMS_EPSILON).pow(-0.5f)
                        .reshape(batch, seq, n, 1);
                NDArray perStream = h.transpose(0, 1, 3, 2); // (B, T, n, D)
                NDArray dynAlpha = perStream.matMul(store.getValue(alphaFn, device, training)).mul(inverseRms).tanh()
                        .mul(store.getValue(alphaScale, device, training)); // (B, T, n, n+1)
                NDArray dynBeta = perStream.matMul(store.getValue(betaFn, device, training)).mul(inverseRms).tanh()
                        .mul(store.getValue(betaScale, device, training)); // (B, T, n, 1)
                mixed = h.matMul(dynAlpha.add(a)); // (B, T, D, n) @ (B, T, n, n+1) -> (B, T, D, n+1)
                b = dynBeta.reshape(batch, seq, 1, n).add(b); // (B, T, 1, n)
            } else {
                mixed = h.reshape(-1, n).matMul(a).reshape(batch, seq, width, n + 1);
            }
            NDArray input = mixed.get(FIRST); // (B, T, D)
            NDArray widthConnected = mixed.get(REST); // (B, T, D, n)
            NDArray out = Ops.apply(store, sublayer, Ops.apply(store, norm, input, training), training);
            return widthConnected.add(out.expandDims(3).mul(b));
        }
    }
}
