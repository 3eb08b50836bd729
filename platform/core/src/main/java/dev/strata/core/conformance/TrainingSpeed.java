package dev.strata.core.conformance;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.strata.api.Component;
import dev.strata.api.ComponentKind;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.model.CandidateModel;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.plugins.ComponentRegistry;
import dev.strata.core.training.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How fast a model trains with one component swapped into a baseline transformer, relative to the
 * baseline itself: the measurement behind "no component trains slower than 3x attention.mha
 * without saying so". The baseline is {@value #BASELINE_TOKEN}, {@value #BASELINE_CHANNEL},
 * {@value #BASELINE_NORM} and {@value #BASELINE_RESIDUAL} in every layer; a component replaces the
 * baseline's component of its own kind in every layer, with its default parameters. A step is a
 * forward and backward pass of the whole model on random tokens (cross-entropy, plus auxiliary
 * losses), timed after warm-up; the median is reported. The optimizer update is left out: it costs
 * the same per parameter whatever the component.
 */
public final class TrainingSpeed {

    public static final String BASELINE_TOKEN = "attention.mha";
    public static final String BASELINE_CHANNEL = "mixer.mlp";
    public static final String BASELINE_NORM = "norm.rms";
    public static final String BASELINE_RESIDUAL = "residual.pre_norm";

    /** Model shape and how many steps to time. */
    public record Settings(int dModel, int sequenceLength, int batch, int depth, int warmup, int steps) {
        public Settings {
            if (dModel < 1 || sequenceLength < 2 || batch < 1 || depth < 1 || warmup < 0 || steps < 1) {
                throw new IllegalArgumentException("speed settings out of range: d_model " + dModel + ", seq " + sequenceLength
                        + ", batch " + batch + ", depth " + depth + ", steps " + steps);
            }
        }

        /** d_model 64, sequence 64, batch 32, two layers: the shape the catalogue's speed notes refer to. */
        public static Settings defaults() {
            return new Settings(64, 64, 32, 2, 3, 10);
        }
    }

    /**
     * One component's median step time and its ratio to the baseline's (NaN with an error when the
     * model could not be built or trained).
     */
    public record Measurement(String componentId, ComponentKind kind, double millisPerStep, double ratio, String error) {}

    private static final int VOCAB = 64;

    private final ComponentRegistry registry;
    private final Settings settings;

    public TrainingSpeed(ComponentRegistry registry, Settings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    /**
     * The baseline first, then each component in order (tasks are left out). Each component's steps
     * alternate with the baseline's, so a machine that gets busier or quieter during the run moves
     * both alike and the ratio stays honest; the baseline row reports all of its steps.
     */
    public List<Measurement> measure(List<Component> components) {
        List<Measurement> out = new ArrayList<>();
        List<Double> allBaseline = new ArrayList<>();
        try (Runner baseline = new Runner(architecture(null), true)) {
            baseline.warmUp();
            for (Component c : components) {
                if (c.kind() == ComponentKind.TASK) continue;
                try (Runner candidate = new Runner(architecture(c), c.causalSafe())) {
                    candidate.warmUp();
                    double[] base = new double[settings.steps()];
                    double[] mine = new double[settings.steps()];
                    for (int i = 0; i < settings.steps(); i++) {
                        base[i] = baseline.step();
                        mine[i] = candidate.step();
                        allBaseline.add(base[i]);
                    }
                    double ms = median(mine);
                    out.add(new Measurement(c.id(), c.kind(), ms, ms / median(base), ""));
                } catch (RuntimeException e) {
                    out.add(new Measurement(c.id(), c.kind(), Double.NaN, Double.NaN, String.valueOf(e.getMessage())));
                }
            }
            if (allBaseline.isEmpty()) {
                for (int i = 0; i < settings.steps(); i++) allBaseline.add(baseline.step());
            }
        }
        double baseMs = median(allBaseline.stream().mapToDouble(Double::doubleValue).toArray());
        out.addFirst(new Measurement("baseline (" + BASELINE_TOKEN + ")", ComponentKind.ATTENTION, baseMs, 1.0, ""));
        return out;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The baseline with {@code component} in the slot of its kind (the baseline itself for null). */
    Architecture architecture(Component component) {
        List<LayerSpec> layers = new ArrayList<>();
        ComponentRef token = ComponentRef.of(BASELINE_TOKEN);
        ComponentRef channel = ComponentRef.of(BASELINE_CHANNEL);
        ComponentRef norm = ComponentRef.of(BASELINE_NORM);
        ComponentRef residual = ComponentRef.of(BASELINE_RESIDUAL);
        if (component != null) {
            ComponentRef ref = ComponentRef.of(component.id());
            switch (component.kind()) {
                case ATTENTION, TOKEN_MIXER -> token = ref;
                case CHANNEL_MIXER -> channel = ref;
                case NORM -> norm = ref;
                case RESIDUAL -> residual = ref;
                case TASK -> throw new IllegalArgumentException(component.id() + " is a task");
            }
        }
        for (int i = 0; i < settings.depth(); i++) {
            layers.add(new LayerSpec(token, channel, norm, residual));
        }
        return new Architecture(settings.dModel(), layers, norm);
    }

    /** One model with its own arrays, ready to time training steps. */
    private final class Runner implements AutoCloseable {
        private final NDManager manager = NDManager.newBaseManager();
        private final CandidateModel model;
        private final NDArray x;
        private final NDArray y;
        private final ParameterStore store;

        Runner(Architecture architecture, boolean causal) {
            try {
                model = new ModelComposer(registry).compose(architecture, VOCAB, settings.sequenceLength(), causal);
                Shape ids = new Shape(settings.batch(), settings.sequenceLength());
                Engine.getInstance().setRandomSeed(7);
                model.initialize(manager, DataType.FLOAT32, ids);
                x = manager.randomInteger(0, VOCAB, ids, DataType.INT32);
                y = manager.randomInteger(0, VOCAB, ids.add(1), DataType.INT64);
                store = new ParameterStore(manager, false);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        void warmUp() {
            for (int i = 0; i < settings.warmup(); i++) step();
        }

        /** One forward and backward pass; milliseconds. */
        double step() {
            long start = System.nanoTime();
            try (StepScope scope = new StepScope(); GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray logits = model.forward(store, new NDList(x), true).singletonOrThrow();
                NDArray loss = logits.logSoftmax(-1).gather(y, -1).mean().neg();
                for (NDArray aux : model.auxiliaryLosses()) loss = loss.add(aux);
                collector.backward(loss);
                // Reading the loss waits for the backward pass to finish.
                loss.getFloat();
            }
            model.layerState().clearForward();
            return (System.nanoTime() - start) / 1e6;
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
