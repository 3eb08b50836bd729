package dev.strata.plugins.attention;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.strata.api.SequenceComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward time per step of a two-layer causal stack of each component at d_model 64,
 * 64 positions, batch 32 (two layers so that MLKV runs as leader and follower). Run with
 * {@code -Dstrata.bench=true}; prints one line per component and its ratio to attention.mha.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class AttentionBenchmarkTest {

    private static final Shape INPUT = new Shape(32, 64, 64);
    private static final int ROUNDS = 5;
    private static final int STEPS = 3;

    /**
     * Components take turns, round after round, and each reports its best round: on a shared
     * machine this filters out the rounds in which another process had the cores.
     */
    @Test
    void forwardBackwardMillisecondsPerStep() {
        List<SequenceComponent> components = Components.all();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(INPUT);
            NDArray projection = manager.randomNormal(INPUT);
            List<Stack> stacks = new ArrayList<>();
            for (SequenceComponent c : components) {
                Stack s = Stack.repeat(c, Components.params(c), 2, 64, 64, true).initialized(manager, INPUT);
                step(s, manager, x, projection); // warm-up
                stacks.add(s);
            }
            double[] best = new double[components.size()];
            Arrays.fill(best, Double.MAX_VALUE);
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < stacks.size(); i++) {
                    long t0 = System.nanoTime();
                    for (int k = 0; k < STEPS; k++) {
                        step(stacks.get(i), manager, x, projection);
                    }
                    best[i] = Math.min(best[i], (System.nanoTime() - t0) / 1e6 / STEPS);
                }
            }
            System.out.printf(Locale.ROOT, "fwd+bwd of 2 causal layers, d 64, n 64, batch 32, %s, %d intra-op thread(s), best of %d rounds%n",
                    Engine.getInstance().getEngineName(), intraOpThreads(), ROUNDS);
            for (int i = 0; i < components.size(); i++) {
                System.out.printf(Locale.ROOT, "  %-28s %8.2f ms/step  %5.2fx mha%n", components.get(i).id(), best[i], best[i] / best[0]);
            }
        }
    }

    private static void step(Stack s, NDManager manager, NDArray x, NDArray projection) {
        try (NDManager step = manager.newSubManager();
                GradientCollector collector = manager.getEngine().newGradientCollector()) {
            // Intermediates live on their input's manager: a per-step copy frees them with the step.
            NDArray input = x.duplicate();
            input.attach(step);
            NDArray y = s.forward(new ParameterStore(step, false), new NDList(input), true).singletonOrThrow();
            collector.backward(y.mul(projection).sum());
        }
    }

    private static int intraOpThreads() {
        return Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
    }
}
