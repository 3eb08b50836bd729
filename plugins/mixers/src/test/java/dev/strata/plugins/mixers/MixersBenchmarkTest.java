package dev.strata.plugins.mixers;

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward CPU ms/step (this thread's CPU time; one libtorch thread) at d_model 64, seq 64, batch 32 for every channel mixer, with
 * attention.mha as the yardstick when its jar is on the test class path (for example
 * {@code -Dmaven.test.additionalClasspath=.../strata-plugin-attention-0.1.0.jar}). Run with
 * {@code -Dstrata.bench=true}.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class MixersBenchmarkTest {

    static final Shape SHAPE = new Shape(32, 64, 64);
    static final int WARMUP = 3;
    static final int STEPS = 10;
    static final int ROUNDS = 3;

    @Test
    void printsMillisecondsPerTrainingStep() throws Exception {
        List<SequenceComponent> components = new ArrayList<>(List.of(new MlpComponent(), new SwiGluComponent(),
                new GeGluComponent(), new PolyNormComponent(), new PolyReluComponent(), new MoeComponent()));
        try {
            components.add(0, (SequenceComponent) Class.forName("dev.strata.plugins.attention.MultiHeadAttentionComponent")
                    .getDeclaredConstructor().newInstance());
        } catch (ClassNotFoundException e) {
            System.out.println("attention.mha not on the class path; no yardstick");
        }
        System.out.printf(Locale.ROOT, "%s engine; CPU ms/step of the test thread (libtorch intra-op threads: see the engine log)%n",
                Engine.getInstance().getEngineName());
        List<String> names = new ArrayList<>();
        List<SequenceComponent> runs = new ArrayList<>();
        List<Params> settings = new ArrayList<>();
        for (SequenceComponent c : components) {
            names.add(c.id());
            runs.add(c);
            settings.add(defaults(c));
        }
        MoeComponent moe = new MoeComponent();
        for (int expansion : new int[] {1, 4}) {
            Map<String, Object> v = new HashMap<>(defaults(moe).asMap());
            v.put("expansion", expansion);
            names.add(moe.id() + " (expansion " + expansion + ")");
            runs.add(moe);
            settings.add(Params.of(v));
        }
        // The machine is shared: interleave ROUNDS rounds and keep each one's fastest.
        double[] best = new double[runs.size()];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < runs.size(); i++) {
                best[i] = Math.min(best[i], msPerStep(runs.get(i), settings.get(i)));
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            System.out.printf(Locale.ROOT, "%-30s %8.1f ms/step%n", names.get(i), best[i]);
        }
    }

    static Params defaults(SequenceComponent c) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : c.dimensions()) values.put(d.name(), d.defaultValue());
        return Params.of(values);
    }

    static double msPerStep(SequenceComponent component, Params params) {
        try (NDManager manager = NDManager.newBaseManager()) {
            MapLayerState state = new MapLayerState();
            BuildContext ctx = new BuildContext((int) SHAPE.get(2), (int) SHAPE.get(1), true, 0, 1, state);
            Block block = component.build(ctx, params);
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
                    NDArray r = step.randomNormal(SHAPE);
                    state.beginForward(x);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray y = block.forward(store, new NDList(x), true).singletonOrThrow();
                        NDArray loss = y.mul(r).sum();
                        for (NDArray aux : state.auxiliaryLosses()) loss = loss.add(aux);
                        collector.backward(loss);
                    }
                }
            }
            return (threads.getCurrentThreadCpuTime() - start) / 1e6 / STEPS;
        }
    }
}
