package dev.strata.core.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.strata.api.Batch;
import dev.strata.api.Params;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import dev.strata.core.model.CandidateModel;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.plugins.ComponentRegistry;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Trains one {@link TrialRequest} in this process and measures it.
 *
 * <p>The loop is written against DJL's lower-level API (one {@link GradientCollector} per step,
 * optimizer updates per parameter) rather than DJL's {@code Trainer}: it is shorter, has no
 * per-step listener and metric machinery, and lets the step control exactly which arrays live and
 * die. Each step runs in its own {@link NDManager} sub-manager (the batch) inside a
 * {@link StepScope} (every array the forward and backward pass create, including those derived from
 * parameters, which DJL attaches to the parameters' manager); both are closed at the end of the
 * step, so memory stays flat over any number of steps. The step scope also works around a DJL
 * use-after-free on CPU (see {@link StepScope}).
 *
 * <p>Optimisation: {@link FlatAdamW}, PyTorch's AdamW over all parameters at once, with the recipe's
 * warmup + cosine schedule; decoupled weight decay on matrices only (parameters with two or more
 * axes: linear weights and embeddings), none on biases and norm gains, as in GPT-2/nanoGPT; gradient
 * clipping by global L2 norm when {@code recipe.gradClip() > 0}.
 *
 * <p>Loss: mean cross-entropy over the scored positions (weighted by the batch weights, normalised
 * by their sum), plus any auxiliary losses the layers add.
 *
 * <p>DJL allows one open {@link GradientCollector} per JVM: train one trial at a time per process.
 * {@link #train} never throws: any failure becomes a failed {@link TrialResult} with a one-line reason.
 */
public final class TrialTrainer {

    /**
     * Names of the metrics of a successful trial, in this order; a trial stopped early (see
     * {@link MedianStopping}) adds {@code stopped_at_step}, and its other metrics are those of the
     * steps it trained and of its last evaluation.
     */
    public static final List<String> METRICS = List.of(
            "val_loss", "val_accuracy", "train_loss", "params", "flops_per_token", "tokens_per_second", "peak_memory_mb",
            "train_seconds", "step_seconds", "step_seconds_sum", "baseline_loss");

    /** Steps left out of the tokens-per-second measurement (warm-up of allocator, JIT, caches). */
    static final int UNTIMED_STEPS = 5;

    /** Training-loss curve points between two validations. */
    static final int TRAIN_POINTS_PER_EVAL = 5;

    /** Trains with no progress reports. */
    public TrialResult train(TrialRequest request, ComponentRegistry registry, Device device) {
        return train(request, registry, device, ProgressListener.NONE);
    }

    /**
     * Trains the request's architecture on its task under its recipe.
     *
     * @return the result; failed (never an exception) when the candidate cannot be built, its loss
     *     becomes NaN, or anything else goes wrong
     */
    public TrialResult train(TrialRequest request, ComponentRegistry registry, Device device, ProgressListener listener) {
        try {
            return new Run(request, registry, device, listener == null ? ProgressListener.NONE : listener).execute();
        } catch (TrialFailure f) {
            return TrialResult.failed(request.trialId(), f.getMessage());
        } catch (Throwable t) { // OutOfMemoryError and native engine errors included: the worker lives on
            return TrialResult.failed(request.trialId(), describe(t));
        }
    }

    /** One line: exception class and the first line of its message. */
    static String describe(Throwable t) {
        String message = t.getMessage();
        String first = message == null ? "" : message.lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse("");
        if (first.length() > 400) first = first.substring(0, 400) + "...";
        return t.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }

    /** Tokens per validation forward pass below which a short-sequence task batches more sequences. */
    static final int EVAL_TOKENS = 4096;

    /**
     * Sequences per validation forward pass: twice the training batch (no gradients are kept), or
     * more for short sequences, up to {@link #EVAL_TOKENS} tokens, and at most the validation set.
     * Validation is forward passes only, and on short sequences a forward pass of 64 is mostly
     * per-call cost: the quickstart's MQAR (16 tokens) validates 512 sequences in about 35 ms with
     * 256 per pass against about 55 ms with 64 (docs/performance.md). Long sequences keep 2 x batch,
     * so no validation needs more memory than before.
     */
    static int evalBatch(int validationSize, int batch, int length) {
        int sequences = Math.max(2 * batch, EVAL_TOKENS / Math.max(1, length));
        return Math.max(1, Math.min(validationSize, sequences));
    }

    /** Folds a 64-bit seed into the int DJL takes. */
    static int engineSeed(long seed) {
        return (int) (seed ^ (seed >>> 32));
    }

    /** A failed trial that is not an exception. */
    private static final class TrialFailure extends RuntimeException {
        TrialFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** The state of one training run. */
    private static final class Run {
        private final TrialRequest request;
        private final Recipe recipe;
        private final ComponentRegistry registry;
        private final Device device;
        private final ProgressListener listener;

        Run(TrialRequest request, ComponentRegistry registry, Device device, ProgressListener listener) {
            this.request = request;
            this.recipe = request.recipe();
            this.registry = registry;
            this.device = device;
            this.listener = listener;
        }

        TrialResult execute() {
            PeakMemory.reset();
            TaskSpec spec = request.task();
            TaskProvider provider = registry.require(spec.id(), TaskProvider.class);
            Params taskParams = ModelComposer.resolveParams(provider, spec.params());
            Path baseDir = spec.baseDir() == null || spec.baseDir().isBlank() ? Path.of(".") : Path.of(spec.baseDir());
            Task task = provider.create(taskParams, spec.dataSeed(), baseDir);

            Engine engine = Engine.getInstance();
            if (engine instanceof ai.djl.pytorch.engine.PtEngine) {
                // libtorch's grad mode is per thread, and PtEngine turns it off only on the thread that
                // loads the engine (the worker loads it on a helper thread). Outside a GradientCollector
                // it must be off: FlatAdamW updates the parameters in place.
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            }
            engine.setRandomSeed(engineSeed(request.seed()));
            ModelComposer composer = new ModelComposer(registry);
            CandidateModel model = composer.compose(request.architecture(), task.vocabSize(), task.sequenceLength(), task.causal(),
                    spec.id());
            Map<String, String> versions = new TreeMap<>(composer.componentVersions(request.architecture()));
            registry.find(spec.id()).ifPresent(info -> versions.put(info.id(), info.provenance()));

            try (NDManager root = NDManager.newBaseManager(device)) {
                return trainModel(task, model, root, versions);
            } finally {
                model.layerState().clearForward();
            }
        }

        private TrialResult trainModel(Task task, CandidateModel model, NDManager root, Map<String, String> versions) {
            final int batch = recipe.batchSize();
            final int length = task.sequenceLength();
            final int steps = recipe.steps();
            final Shape ids = new Shape(batch, length);
            final Shape column = new Shape(batch, length, 1);

            model.initialize(root, DataType.FLOAT32, ids);
            List<Parameter> parameters = model.trainableParameters();
            long parameterCount = model.parameterCount();
            double flopsPerToken = FlopsPerToken.of(model, request.architecture(), registry);
            ParameterStore store = new ParameterStore(root, false);

            FlatAdamW optimizer = new FlatAdamW(parameters.toArray(new Parameter[0]), (float) recipe.weightDecay(), root);
            float clip = (float) recipe.gradClip();

            // Batch order: a seeded start in the task's deterministic stream of training batches.
            long firstBatch = new SplittableRandom(request.seed()).nextLong(1L << 20);
            int trainEvery = Math.max(1, recipe.evalEvery() / TRAIN_POINTS_PER_EVAL);
            int evalBatch = evalBatch(task.validationSize(), batch, length);

            double[] losses = new double[steps];
            double[] stepSeconds = new double[steps];
            List<CurvePoint> curve = new ArrayList<>();
            long[] targets = new long[batch * length];
            float[] weights = new float[batch * length];
            double intervalLoss = 0;
            int intervalSteps = 0;
            Engine engine = Engine.getInstance();

            Map<Integer, Double> thresholds = request.stopThresholds();
            double[] val = null; // set when the trial stops early
            int done = steps;
            long loopStart = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                long t0 = System.nanoTime();
                Batch b = task.trainBatch(firstBatch + step - 1, batch);
                checkBatch(b, batch, length);
                double weightSum = 0;
                for (float w : b.weights()) weightSum += w;
                float scale = weightSum > 0 ? (float) (-1.0 / weightSum) : 0f;
                for (int i = 0; i < targets.length; i++) {
                    targets[i] = b.targets()[i];
                    weights[i] = b.weights()[i] * scale; // negated: loss = sum(logp * -w / sum(w))
                }
                float loss;
                try (NDManager sm = root.newSubManager(); StepScope scope = new StepScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = sm.create(b.inputs(), ids);
                    NDArray y = sm.create(targets, column);
                    NDArray w = sm.create(weights, column);
                    NDArray total;
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        NDArray logits = model.forward(store, new NDList(x), true).singletonOrThrow();
                        total = logits.logSoftmax(-1).gather(y, -1).mul(w).sum();
                        for (NDArray aux : model.auxiliaryLosses()) {
                            total = total.add(aux);
                        }
                        collector.backward(total);
                    }
                    loss = total.getFloat();
                    if (!Float.isFinite(loss)) {
                        throw new TrialFailure("loss became " + (Float.isNaN(loss) ? "NaN" : "infinite") + " at step " + step);
                    }
                    model.layerState().clearForward();
                    float norm = optimizer.step((float) recipe.learningRateAt(step - 1), clip);
                    if (!Float.isFinite(norm)) {
                        throw new TrialFailure("gradient norm became " + (Float.isNaN(norm) ? "NaN" : "infinite") + " at step " + step);
                    }
                }
                stepSeconds[step - 1] = (System.nanoTime() - t0) / 1e9;
                losses[step - 1] = loss;

                intervalLoss += loss;
                intervalSteps++;
                if (step % trainEvery == 0 || step == steps) {
                    double mean = intervalLoss / intervalSteps;
                    curve.add(new CurvePoint(step, "train", mean, Double.NaN));
                    try {
                        listener.onProgress(request.trialId(), step, mean);
                    } catch (RuntimeException e) {
                        // a listener's failure is not the candidate's
                    }
                    intervalLoss = 0;
                    intervalSteps = 0;
                }
                if (step % recipe.evalEvery() == 0 && step != steps) {
                    double[] v = evaluate(task, model, store, root, evalBatch);
                    curve.add(new CurvePoint(step, "val", v[0], v[1]));
                    if (MedianStopping.stops(thresholds, step, v[0])) {
                        if (intervalSteps > 0) curve.add(curve.size() - 1, new CurvePoint(step, "train", intervalLoss / intervalSteps, Double.NaN));
                        val = v;
                        done = step;
                        break;
                    }
                }
            }
            double trainSeconds = (System.nanoTime() - loopStart) / 1e9;
            if (val == null) {
                val = evaluate(task, model, store, root, evalBatch);
                curve.add(new CurvePoint(steps, "val", val[0], val[1]));
            }
            if (!Double.isFinite(val[0])) {
                throw new TrialFailure("validation loss is " + val[0] + " after " + done + " steps");
            }
            if (request.weightsFile() != null) {
                saveWeights(model, Path.of(request.weightsFile()));
            }

            int tail = Math.max(1, done / 10);
            double trainLoss = Arrays.stream(losses, done - tail, done).average().orElse(Double.NaN);
            int untimed = Math.min(UNTIMED_STEPS, done / 4);
            double timed = Arrays.stream(stepSeconds, untimed, done).sum();
            double tokensPerSecond = timed > 0 ? (double) batch * length * (done - untimed) / timed : Double.NaN;

            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("val_loss", val[0]);
            metrics.put("val_accuracy", val[1]);
            metrics.put("train_loss", trainLoss);
            metrics.put("params", (double) parameterCount);
            metrics.put("flops_per_token", flopsPerToken);
            metrics.put("tokens_per_second", tokensPerSecond);
            metrics.put("peak_memory_mb", PeakMemory.peakMiB());
            metrics.put("train_seconds", trainSeconds);
            metrics.put("step_seconds", median(Arrays.copyOf(stepSeconds, done)));
            // Time inside training steps alone (train_seconds adds the validations in between):
            // what 'strata bench overhead' subtracts from a search's wall time.
            metrics.put("step_seconds_sum", Arrays.stream(stepSeconds, 0, done).sum());
            metrics.put("baseline_loss", task.baselineLoss());
            if (done < steps) metrics.put(MedianStopping.STOPPED_AT_STEP, (double) done);
            return new TrialResult(request.trialId(), true, null, Collections.unmodifiableMap(metrics), List.copyOf(curve),
                    Collections.unmodifiableMap(versions));
        }

        /**
         * Saves the trained parameters in DJL's format ({@code Block.saveParameters}), through a
         * temporary file so that a reader never sees half a file. A failure to save is reported on
         * stderr (the worker's log) and does not fail the trial: its results stand without weights.
         */
        private static void saveWeights(CandidateModel model, Path file) {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                if (file.getParent() != null) Files.createDirectories(file.getParent());
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                    model.saveParameters(out);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                System.err.println("strata: cannot save weights to " + file + ": " + describe(e));
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to clean up
                }
            }
        }

        /** Validation over the whole validation set: {weighted mean loss, accuracy on scored positions}. */
        private static double[] evaluate(Task task, CandidateModel model, ParameterStore store, NDManager root, int evalBatch) {
            int total = task.validationSize();
            int length = task.sequenceLength();
            double lossSum = 0;
            double weightSum = 0;
            double correct = 0;
            long scored = 0;
            for (int from = 0; from < total; from += evalBatch) {
                int count = Math.min(evalBatch, total - from);
                Batch b = task.validationBatch(from, count);
                checkBatch(b, count, length);
                int size = count * length;
                long[] targets = new long[size];
                float[] weights = new float[size];
                float[] mask = new float[size];
                for (int i = 0; i < size; i++) {
                    float w = b.weights()[i];
                    targets[i] = b.targets()[i];
                    weights[i] = -w;
                    mask[i] = w > 0 ? 1f : 0f;
                    weightSum += w;
                    if (w > 0) scored++;
                }
                Shape column = new Shape(count, length, 1);
                try (NDManager sm = root.newSubManager(); StepScope scope = new StepScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = sm.create(b.inputs(), new Shape(count, length));
                    NDArray y = sm.create(targets, column);
                    NDArray logits = model.forward(store, new NDList(x), false).singletonOrThrow();
                    NDArray nll = logits.logSoftmax(-1).gather(y, -1).mul(sm.create(weights, column)).sum();
                    NDArray hits = logits.argMax(-1).reshape(column).eq(y).toType(DataType.FLOAT32, false)
                            .mul(sm.create(mask, column)).sum();
                    float[] sums = NDArrays.stack(new NDList(nll, hits)).toFloatArray();
                    lossSum += sums[0];
                    correct += sums[1];
                    model.layerState().clearForward();
                }
            }
            double loss = weightSum > 0 ? lossSum / weightSum : Double.NaN;
            double accuracy = scored > 0 ? correct / scored : Double.NaN;
            return new double[] {loss, accuracy};
        }

        private static void checkBatch(Batch b, int size, int length) {
            if (b.size() != size || b.length() != length) {
                throw new IllegalStateException("task returned a batch of " + b.size() + "x" + b.length() + ", expected " + size + "x" + length);
            }
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int m = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
        }
    }
}
