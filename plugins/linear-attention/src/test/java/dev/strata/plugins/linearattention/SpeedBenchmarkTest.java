package dev.strata.plugins.linearattention;

import static dev.strata.testkit.BlockTesting.context;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.AttentionComponent;
import dev.strata.api.SequenceBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward time per step at d_model 64, seq 64, batch 32 for each component, next to a
 * copy of attention.mha's computation. Run with {@code -Dstrata.bench=true} (and
 * {@code -Dstrata.bench.only=ID} for one component).
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class SpeedBenchmarkTest {

    private static final Shape INPUT = new Shape(32, 64, 64);
    private static final int WARMUP = 3;
    private static final int STEPS = 30;

    @Test
    void printsMillisecondsPerStep() {
        try (NDManager manager = NDManager.newBaseManager()) {
            System.out.printf("forward+backward, d_model 64, seq 64, batch 32, CPU, ai.djl.pytorch.num_threads=%s; "
                    + "fastest and median of %d steps, interleaved step by step with attention.mha's computation%n",
                    System.getProperty("ai.djl.pytorch.num_threads", "default"), STEPS);
            Block baseline = initialized(new SoftmaxAttention(64, 4), manager);
            for (AttentionComponent component : LinearAttentionFamilyTest.components()) {
                if (System.getProperty("strata.bench.only") != null && !component.id().equals(System.getProperty("strata.bench.only"))) {
                    continue;
                }
                for (int chunk : new int[] {16, 32, 64}) {
                    Block block = initialized(component.build(context(64, true),
                            LinearAttentionFamilyTest.params(component, Ops.CHUNK, chunk)), manager);
                    long[] mha = new long[STEPS];
                    long[] own = new long[STEPS];
                    for (int i = -WARMUP; i < STEPS; i++) {
                        long a = step(baseline, manager);
                        long b = step(block, manager);
                        if (i >= 0) {
                            mha[i] = a;
                            own[i] = b;
                        }
                    }
                    double ms = fastest(own);
                    double base = fastest(mha);
                    System.out.printf("%-20s chunk %2d %7.1f ms/step (mha %5.1f) %5.2fx mha   median %7.1f (mha %5.1f)%n",
                            component.id(), chunk, ms, base, ms / base, median(own), median(mha));
                }
            }
        }
    }

    private static Block initialized(Block block, NDManager manager) {
        Engine.getInstance().setRandomSeed(1);
        block.initialize(manager, DataType.FLOAT32, INPUT);
        return block;
    }

    private static long step(Block block, NDManager manager) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.randomNormal(INPUT);
            long start = System.nanoTime();
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(step, false), new NDList(x), true).singletonOrThrow();
                collector.backward(y.square().mean());
            }
            return System.nanoTime() - start;
        }
    }

    /** The fastest step: on a shared machine the least disturbed by other processes. */
    private static double fastest(long[] nanos) {
        return java.util.Arrays.stream(nanos).min().orElseThrow() / 1e6;
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    /** attention.mha's computation: fused QKV, causal softmax attention, output projection. */
    static final class SoftmaxAttention extends SequenceBlock {
        private final int dModel;
        private final int heads;
        private final Linear qkv;
        private final Linear out;

        SoftmaxAttention(int dModel, int heads) {
            this.dModel = dModel;
            this.heads = heads;
            this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
            this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            NDArray p = qkv.forward(store, inputs, training).singletonOrThrow().reshape(b, t, 3, heads, dModel / heads)
                    .transpose(2, 0, 3, 1, 4);
            NDArray scores = p.get(0).mul((float) (1 / Math.sqrt(dModel / heads))).matMul(p.get(1).transpose(0, 1, 3, 2));
            NDArray mask = Ops.lowerMask(x, (int) t, false).sub(1f).mul(1e9f);
            NDArray y = scores.add(mask).softmax(-1).matMul(p.get(2)).transpose(0, 2, 1, 3).reshape(b, t, dModel);
            return out.forward(store, new NDList(y), training);
        }
    }
}
