package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.MixerComponent;
import dev.strata.api.SequenceBlock;
import dev.strata.testkit.BlockTesting;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward time per step at d_model 64, seq 64, batch 32 for every mixer with its
 * defaults, next to a copy of attention.mha's computation as the yardstick. Run with
 * {@code -Dstrata.bench=true}; surefire pins libtorch to the threads in {@code ai.djl.pytorch.num_threads}.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class SpeedBenchmarkTest {

    private static final int D = 64;
    private static final int T = 64;
    private static final int BATCH = 32;
    private static final int WARMUP = 3;
    private static final int STEPS = 10;

    @Test
    void printMillisecondsPerStep() {
        System.out.printf(Locale.ROOT, "forward+backward ms/step, d_model %d, seq %d, batch %d, libtorch threads %s%n",
                D, T, BATCH, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.printf(Locale.ROOT, "%-22s %9s %9s %9s %8s%n", "component", "params", "mean ms", "best ms", "x mha");
        time(null, new ReferenceAttention(D, 4), -1, -1); // warms up the engine and the allocator, not printed
        double mha = time("attention.mha (copy)", new ReferenceAttention(D, 4), -1, -1);
        for (MixerComponent c : SequenceMixerFamilyTest.ALL) {
            var ctx = SequenceMixerFamilyTest.context(D, T, true);
            var params = SequenceMixerFamilyTest.params(c);
            time(c.id(), c.build(ctx, params), c.parameterCount(ctx, params), mha);
        }
    }

    /** Prints and returns the best time of {@link #STEPS} steps. */
    private static double time(String name, Block block, long parameters, double reference) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(BATCH, T, D);
            block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, shape);
            NDArray x = manager.randomNormal(shape);
            x.setRequiresGradient(true); // as inside a model; mixer.pool has no parameter of its own
            NDArray projection = manager.randomNormal(shape);
            double total = 0;
            double best = Double.MAX_VALUE;
            for (int i = 0; i < WARMUP + STEPS; i++) {
                try (NDManager step = manager.newSubManager()) {
                    long start = System.nanoTime();
                    try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                        NDArray y = block.forward(new ParameterStore(step, false), new NDList(x), true).singletonOrThrow();
                        collector.backward(y.mul(projection).sum());
                    }
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (i >= WARMUP) {
                        total += ms;
                        best = Math.min(best, ms);
                    }
                }
            }
            if (name == null) {
                return best;
            }
            System.out.printf(Locale.ROOT, "%-22s %9d %9.1f %9.1f %8s%n", name,
                    parameters >= 0 ? parameters : BlockTesting.parameterCount(block), total / STEPS, best,
                    reference > 0 ? String.format(Locale.ROOT, "%.1f", best / reference) : "1.0");
            return best;
        }
    }

    /** attention.mha's computation (fused QKV, causal softmax, output projection), to compare against. */
    private static final class ReferenceAttention extends SequenceBlock {
        private final int heads;
        private final Linear qkv;
        private final Linear out;

        ReferenceAttention(int dModel, int heads) {
            this.heads = heads;
            this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
            this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            long d = x.getShape().get(2);
            NDArray p = qkv.forward(store, inputs, training).singletonOrThrow().reshape(b, t, 3, heads, d / heads)
                    .transpose(2, 0, 3, 1, 4);
            NDArray scores = p.get(0).mul((float) (1 / Math.sqrt(d / heads))).matMul(p.get(1).transpose(0, 1, 3, 2));
            NDArray positions = x.getManager().arange((float) t);
            NDArray mask = positions.reshape(1, t).gt(positions.reshape(t, 1)).toType(x.getDataType(), false).mul(-1e9f);
            NDArray attended = scores.add(mask).softmax(-1).matMul(p.get(2)).transpose(0, 2, 1, 3).reshape(b, t, d);
            return out.forward(store, new NDList(attended), training);
        }
    }

}
