package dev.strata.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.AttentionComponent;
import dev.strata.api.Batch;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.LayerState;
import dev.strata.api.MixerComponent;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.ComponentRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny components and a toy task for tests of composition and training. Test-only. */
public final class TestComponents {

    public static final String SHIFT = "mixer.test_shift";
    public static final String CUMMEAN = "mixer.test_cummean";
    public static final String GLOBAL_MEAN = "mixer.test_global_mean";
    public static final String MLP = "mixer.test_mlp";
    public static final String NAN = "mixer.test_nan";
    public static final String IDENTITY = "norm.test_identity";
    public static final String PRE_NORM = "residual.test_pre_norm";
    public static final String COPY_TASK = "task.test_copy_prev";
    public static final String ATTENTION = "attention.test_mha";
    public static final String AUX = "mixer.test_aux";

    private TestComponents() {}

    public static ComponentRegistry registry() {
        List<ComponentInfo> all = new ArrayList<>();
        for (var c : List.of(new ShiftMixer(), new CumulativeMeanMixer(), new GlobalMeanMixer(), new MlpMixer(), new NanMixer(),
                new IdentityNorm(), new PreNorm(), new CopyPreviousTask(), new Attention(), new AuxLossMixer())) {
            all.add(new ComponentInfo(c, "test-plugin", "1.0"));
        }
        return new ComponentRegistry(all);
    }

    /** {@code depth} identical layers: the given token mixer, an MLP, identity norms, pre-norm residual. */
    public static Architecture architecture(int dModel, int depth, String tokenMixer) {
        return architecture(dModel, depth, tokenMixer, MLP);
    }

    public static Architecture architecture(int dModel, int depth, String tokenMixer, String channelMixer) {
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            layers.add(new LayerSpec(ComponentRef.of(tokenMixer), ComponentRef.of(channelMixer), ComponentRef.of(IDENTITY),
                    ComponentRef.of(PRE_NORM)));
        }
        return new Architecture(dModel, layers, ComponentRef.of(IDENTITY));
    }

    // ---------------------------------------------------------------------------------------------

    abstract static class Base {
        public String version() {
            return "1";
        }

        public String description() {
            return "test component";
        }

        public String reference() {
            return "none";
        }
    }

    /** y = A x_t + B x_{t-1}: a causal width-2 convolution, enough to copy the previous token. */
    public static final class ShiftMixer extends Base implements MixerComponent {
        @Override public String id() { return SHIFT; }
        @Override public MixerRole role() { return MixerRole.TOKEN; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new ShiftBlock(ctx.dModel());
        }
    }

    static final class ShiftBlock extends SequenceBlock {
        private final Linear current;
        private final Linear previous;

        ShiftBlock(int d) {
            current = addChildBlock("current", Linear.builder().setUnits(d).build());
            previous = addChildBlock("previous", Linear.builder().setUnits(d).optBias(false).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray x = in.head();
            Shape s = x.getShape();
            NDArray zeros = x.getManager().zeros(new Shape(s.get(0), 1, s.get(2)), x.getDataType());
            NDArray shifted = NDArrays.concat(new NDList(zeros, x.get(new NDIndex().addAllDim().addSliceDim(0, s.get(1) - 1))), 1);
            NDArray a = current.forward(ps, new NDList(x), training).head();
            NDArray b = previous.forward(ps, new NDList(shifted), training).head();
            return new NDList(a.add(b));
        }
    }

    /** Mean of positions 0..t, then a linear map. */
    public static final class CumulativeMeanMixer extends Base implements MixerComponent {
        @Override public String id() { return CUMMEAN; }
        @Override public MixerRole role() { return MixerRole.TOKEN; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new SequenceBlock() {
                private final Linear proj = addChildBlock("proj", Linear.builder().setUnits(ctx.dModel()).build());

                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    NDArray x = in.head();
                    long t = x.getShape().get(1);
                    NDArray counts = x.getManager().arange(1f, t + 1f, 1f, DataType.FLOAT32).reshape(1, t, 1);
                    return proj.forward(ps, new NDList(x.cumSum(1).div(counts)), training);
                }
            };
        }
    }

    /** Causal multi-head attention (fused QKV, additive mask), like a plain GPT block's. */
    public static final class Attention extends Base implements AttentionComponent {
        @Override public String id() { return ATTENTION; }

        @Override
        public List<Dimension> dimensions() {
            return List.of(Dimension.integer("heads", 4, 1, 64));
        }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new AttentionBlock(ctx.dModel(), p.getInt("heads"), ctx.causal());
        }
    }

    static final class AttentionBlock extends SequenceBlock {
        private final int d;
        private final int heads;
        private final boolean causal;
        private final Linear qkv;
        private final Linear out;

        AttentionBlock(int d, int heads, boolean causal) {
            this.d = d;
            this.heads = heads;
            this.causal = causal;
            qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * d).build());
            out = addChildBlock("out", Linear.builder().setUnits(d).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray x = in.head();
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            int hd = d / heads;
            NDArray proj = qkv.forward(ps, in, training).head().reshape(b, t, 3, heads, hd).transpose(2, 0, 3, 1, 4);
            NDArray q = proj.get(0).mul((float) (1 / Math.sqrt(hd)));
            NDArray scores = q.matMul(proj.get(1).transpose(0, 1, 3, 2));
            if (causal) {
                NDArray pos = x.getManager().arange(0f, t, 1f, DataType.FLOAT32);
                scores = scores.add(pos.reshape(1, t).gt(pos.reshape(t, 1)).toType(DataType.FLOAT32, false).mul(-1e9f));
            }
            NDArray att = scores.softmax(-1).matMul(proj.get(2)).transpose(0, 2, 1, 3).reshape(b, t, d);
            return out.forward(ps, new NDList(att), training);
        }
    }

    /** Adds the mean over the whole sequence: reads the future, so not causal-safe. */
    public static final class GlobalMeanMixer extends Base implements MixerComponent {
        @Override public String id() { return GLOBAL_MEAN; }
        @Override public MixerRole role() { return MixerRole.TOKEN; }
        @Override public boolean causalSafe() { return false; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new SequenceBlock() {
                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    NDArray x = in.head();
                    return new NDList(x.add(x.mean(new int[] {1}, true)));
                }
            };
        }
    }

    /** Linear, ReLU, linear. */
    public static final class MlpMixer extends Base implements MixerComponent {
        @Override public String id() { return MLP; }
        @Override public MixerRole role() { return MixerRole.CHANNEL; }

        @Override
        public List<Dimension> dimensions() {
            return List.of(Dimension.integer("expansion", 2, 1, 8, 1, 2, 4));
        }

        @Override
        public Block build(BuildContext ctx, Params p) {
            int d = ctx.dModel();
            int hidden = d * p.getInt("expansion");
            return new SequenceBlock() {
                private final Linear up = addChildBlock("up", Linear.builder().setUnits(hidden).build());
                private final Linear down = addChildBlock("down", Linear.builder().setUnits(d).build());

                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    NDArray h = Activation.relu(up.forward(ps, in, training).head());
                    return down.forward(ps, new NDList(h), training);
                }

                @Override
                protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
                    up.initialize(manager, dataType, shapes[0]);
                    Shape s = shapes[0];
                    down.initialize(manager, dataType, new Shape(s.get(0), s.get(1), hidden));
                }
            };
        }
    }

    /** A linear map that adds an auxiliary loss of {@code 1 + 0.01 * mean(x^2)} per layer. */
    public static final class AuxLossMixer extends Base implements MixerComponent {
        @Override public String id() { return AUX; }
        @Override public MixerRole role() { return MixerRole.CHANNEL; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            LayerState state = ctx.state();
            return new SequenceBlock() {
                private final Linear proj = addChildBlock("proj", Linear.builder().setUnits(ctx.dModel()).build());

                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    NDArray x = in.head();
                    state.addAuxiliaryLoss(x.square().mean().mul(0.01f).add(1f));
                    return proj.forward(ps, in, training);
                }
            };
        }
    }

    /** Produces NaN. */
    public static final class NanMixer extends Base implements MixerComponent {
        @Override public String id() { return NAN; }
        @Override public MixerRole role() { return MixerRole.CHANNEL; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new SequenceBlock() {
                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    return new NDList(in.head().mul(Float.NaN));
                }
            };
        }
    }

    public static final class IdentityNorm extends Base implements NormComponent {
        @Override public String id() { return IDENTITY; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new SequenceBlock() {
                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    return in;
                }
            };
        }
    }

    /**
     * x + tok(norm(x)), then + ch(norm(x)). Also checks that the model recorded the embedding and
     * exactly the earlier layers' outputs before this layer runs.
     */
    public static final class PreNorm extends Base implements ResidualComponent {
        @Override public String id() { return PRE_NORM; }

        @Override
        public Block wrap(BuildContext ctx, Params p, Sublayers s) {
            return new PreNormBlock(ctx, s);
        }
    }

    static final class PreNormBlock extends SequenceBlock {
        private final int layer;
        private final LayerState state;
        private final Block norm1;
        private final Block token;
        private final Block norm2;
        private final Block channel;

        PreNormBlock(BuildContext ctx, Sublayers s) {
            layer = ctx.layerIndex();
            state = ctx.state();
            norm1 = addChildBlock("norm1", s.newNorm());
            token = addChildBlock("token", s.tokenMixer());
            norm2 = addChildBlock("norm2", s.newNorm());
            channel = addChildBlock("channel", s.channelMixer());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            if (state.layerOutputs().size() != layer || state.embedding() == null) {
                throw new IllegalStateException("layer " + layer + " sees " + state.layerOutputs().size() + " earlier outputs");
            }
            NDArray x = in.head();
            x = x.add(token.forward(ps, norm1.forward(ps, new NDList(x), training), training).head());
            x = x.add(channel.forward(ps, norm2.forward(ps, new NDList(x), training), training).head());
            return new NDList(x);
        }
    }

    /** Target at t is the input at t-1 (position 0 is not scored). Uniform random tokens. */
    public static final class CopyPreviousTask extends Base implements TaskProvider {
        @Override public String id() { return COPY_TASK; }

        @Override
        public List<Dimension> dimensions() {
            return List.of(Dimension.integer("vocab", 16, 2, 1024), Dimension.integer("length", 16, 2, 4096),
                    Dimension.integer("validation", 128, 1, 100000));
        }

        @Override
        public Task create(Params params, long seed, Path baseDir) {
            return new CopyTask(params.getInt("vocab"), params.getInt("length"), params.getInt("validation"), seed);
        }
    }

    record CopyTask(int vocab, int length, int validation, long seed) implements Task {
        @Override public int vocabSize() { return vocab; }
        @Override public int sequenceLength() { return length; }
        @Override public int validationSize() { return validation; }
        @Override public double baselineLoss() { return Math.log(vocab); }
        @Override public String baselineName() { return "uniform over " + vocab + " tokens"; }

        @Override
        public Batch trainBatch(long index, int batchSize) {
            return make(batchSize, i -> new SplittableRandom(seed * 1_000_003L + index * 7919L + i));
        }

        @Override
        public Batch validationBatch(int from, int count) {
            return make(count, i -> new SplittableRandom(~seed * 31L - 1_000_000_007L * (from + i + 1)));
        }

        private Batch make(int size, java.util.function.IntFunction<SplittableRandom> rng) {
            int n = size * length;
            int[] inputs = new int[n];
            int[] targets = new int[n];
            float[] weights = new float[n];
            for (int s = 0; s < size; s++) {
                SplittableRandom r = rng.apply(s);
                for (int t = 0; t < length; t++) {
                    int i = s * length + t;
                    inputs[i] = r.nextInt(vocab);
                    if (t > 0) {
                        targets[i] = inputs[i - 1];
                        weights[i] = 1f;
                    }
                }
            }
            return new Batch(size, length, inputs, targets, weights);
        }
    }

    /** Params from alternating name/value pairs. */
    public static Params params(Object... kv) {
        Map<String, Object> m = new java.util.TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return Params.of(m);
    }
}
