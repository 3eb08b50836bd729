package dev.strata.plugins.norms;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.SequenceComponent;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward CPU ms/step (this thread's CPU time; one libtorch thread) at d_model 64, seq 64, batch 32 for every norm, with attention.mha as
 * the yardstick when its jar is on the test class path ({@code -Dmaven.test.additionalClasspath=}).
 * Run with {@code -Dstrata.bench=true}.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class NormsBenchmarkTest {

    static final Shape SHAPE = new Shape(32, 64, 64);
    static final int WARMUP = 3;
    static final int STEPS = 20;
    static final int ROUNDS = 3;

    @Test
    void printsMillisecondsPerTrainingStep() throws Exception {
        List<SequenceComponent> components = new ArrayList<>(List.of(new LayerNormComponent(), new RmsNormComponent(),
                new ScaleNormComponent(), new DynamicTanhComponent(), new CompressedRmsNormComponent(),
                new IdentityNormComponent(), new DerfComponent()));
        try {
            components.add(0, (SequenceComponent) Class.forName("dev.strata.plugins.attention.MultiHeadAttentionComponent")
                    .getDeclaredConstructor().newInstance());
        } catch (ClassNotFoundException e) {
            System.out.println("attention.mha not on the class path; no yardstick");
        }
        // The machine is shared: interleave rounds and keep each component's fastest.
        double[] best = new double[components.size()];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < components.size(); i++) {
                best[i] = Math.min(best[i], msPerStep(components.get(i)));
            }
        }
        for (int i = 0; i < components.size(); i++) {
            System.out.printf(Locale.ROOT, "%-16s %8.2f ms/step%n", components.get(i).id(), best[i]);
        }
    }

    static double msPerStep(SequenceComponent component) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : component.dimensions()) values.put(d.name(), d.defaultValue());
        try (NDManager manager = NDManager.newBaseManager()) {
            BuildContext ctx = new BuildContext((int) SHAPE.get(2), (int) SHAPE.get(1), true, 0, 1, new MapLayerState());
            Block block = component.build(ctx, Params.of(values));
            block.initialize(manager, DataType.FLOAT32, SHAPE);
            ParameterStore store = new ParameterStore(manager, false);
            // CPU time of this thread: with one intra-op thread libtorch runs forward and backward on the
            // caller, and CPU time is not inflated by other processes on a shared machine.
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long start = 0;
            for (int i = 0; i < WARMUP + STEPS; i++) {
                if (i == WARMUP) start = threads.getCurrentThreadCpuTime();
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.randomNormal(SHAPE);
                    x.setRequiresGradient(true); // norm.none has no parameters to differentiate
                    NDArray r = step.randomNormal(SHAPE);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray y = block.forward(store, new NDList(x), true).singletonOrThrow();
                        collector.backward(y.mul(r).sum());
                    }
                }
            }
            return (threads.getCurrentThreadCpuTime() - start) / 1e6 / STEPS;
        }
    }
}
