package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.ResidualOperatorsTest.op;
import static dev.strata.testkit.BlockTesting.initialized;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.BuildContext;
import dev.strata.api.SequenceBlock;
import dev.strata.plugins.residual.TestLayers.Operator;
import dev.strata.plugins.residual.TestLayers.TrackingSublayers;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward time per step of a 4-layer stack for each operator at d_model 64, seq 64,
 * batch 32, with realistic sublayers (causal 4-head attention, 4x GELU MLP, RMS norm). Run with
 * {@code -Dstrata.bench=true}.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class ResidualBenchmarkTest {

    static final int D = 64;
    static final int T = 64;
    static final int B = 32;
    static final int DEPTH = 4;

    /** Causal multi-head attention, as attention.mha computes it (test copy, no plugin dependency). */
    static final class Attention extends SequenceBlock {
        private final int heads = 4;
        private final Linear qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * D).build());
        private final Linear out = addChildBlock("out", Linear.builder().setUnits(D).build());

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            int hd = D / heads;
            NDArray p = qkv.forward(store, inputs, training).singletonOrThrow().reshape(b, t, 3, heads, hd).transpose(2, 0, 3, 1, 4);
            NDArray q = p.get(0).mul(1f / (float) Math.sqrt(hd));
            NDArray scores = q.matMul(p.get(1).transpose(0, 1, 3, 2));
            NDArray pos = x.getManager().arange(0f, t, 1f, DataType.FLOAT32, x.getDevice());
            scores = scores.add(pos.reshape(1, t).gt(pos.reshape(t, 1)).toType(DataType.FLOAT32, false).mul(-1e9f));
            NDArray attended = scores.softmax(-1).matMul(p.get(2)).transpose(0, 2, 1, 3).reshape(b, t, D);
            return out.forward(store, new NDList(attended), training);
        }
    }

    private static TrackingSublayers realistic() {
        SequentialBlock mlp = new SequentialBlock().add(Linear.builder().setUnits(4L * D).build())
                .add(Activation::gelu).add(Linear.builder().setUnits(D).build());
        return new TrackingSublayers(new Attention(), mlp, () -> new TestLayers.RmsNorm(D));
    }

    /** A stack like {@link TestLayers.Stack}, with realistic sublayers. */
    static final class RealisticStack extends SequenceBlock {
        final MapLayerState state = new MapLayerState();
        final List<Block> layers = new ArrayList<>();

        RealisticStack(Operator op) {
            for (int i = 0; i < DEPTH; i++) {
                BuildContext ctx = new BuildContext(D, T, true, i, DEPTH, state);
                layers.add(addChildBlock("layer" + i, op.component().wrap(ctx, op.params(), realistic())));
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            state.beginForward(x);
            for (Block layer : layers) {
                x = layer.forward(store, new NDList(x), training).singletonOrThrow();
                state.recordLayerOutput(x);
            }
            return new NDList(x);
        }
    }

    @Test
    void printsMillisecondsPerStep() {
        List<Operator> ops = List.of(op(new PreNormComponent()), op(new PostNormComponent()), op(new SandwichNormComponent()),
                op(new ReZeroComponent()), op(new LayerScaleComponent()), op(new ParallelComponent()),
                op(new DenseFormerComponent()), op(new HyperConnectionsComponent()),
                op(new HyperConnectionsComponent(), "dynamic", "true"), op(new DepthAttentionComponent()),
                op(new LoopedComponent()));
        System.out.printf("residual operators, %d-layer stack, d %d, seq %d, batch %d, forward+backward, %s intra-op threads%n",
                DEPTH, D, T, B, System.getProperty("ai.djl.pytorch.num_threads", "engine-default"));
        // The machine is shared: take the best of several interleaved rounds, and report the
        // calling thread's CPU time too (with one intra-op thread PyTorch computes on it).
        Engine.getInstance().setRandomSeed(7);
        int rounds = 4;
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Block> stacks = new ArrayList<>();
            for (Operator op : ops) {
                stacks.add(initialized(new RealisticStack(op), manager, new Shape(B, T, D)));
            }
            double[][] best = new double[ops.size()][];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < ops.size(); i++) {
                    double[] t = time(stacks.get(i), manager, r == 0 ? 2 : 1, 4);
                    best[i] = best[i] == null ? t : new double[] {Math.min(best[i][0], t[0]), Math.min(best[i][1], t[1])};
                }
            }
            for (int i = 0; i < ops.size(); i++) {
                System.out.printf("  %-50s wall %7.1f ms/step  cpu %7.1f ms/step  (%.2fx pre_norm cpu)%n", ops.get(i),
                        best[i][0], best[i][1], best[i][1] / best[0][1]);
            }
        }
    }

    /** Wall and thread-CPU milliseconds per step. */
    private static double[] time(Block block, NDManager manager, int warmup, int steps) {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = 0;
        long cpuStart = 0;
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) {
                start = System.nanoTime();
                cpuStart = threads.getCurrentThreadCpuTime();
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.randomNormal(new Shape(B, T, D));
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    NDArray y = block.forward(new ParameterStore(step, false), new NDList(x), true).singletonOrThrow();
                    collector.backward(y.mul(step.randomNormal(y.getShape())).sum());
                }
            }
        }
        return new double[] {(System.nanoTime() - start) / 1e6 / steps, (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / steps};
    }
}
