package dev.strata.core.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import dev.strata.api.ResidualComponent;
import dev.strata.core.training.StepScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The six checks. Each builds its own stack in its own {@link NDManager}, so one check's failure
 * (or exception) cannot spoil another's.
 */
final class Checks {

    /** Causality: outputs up to t may change by at most this, relative to the output scale. */
    static final float CAUSAL_TOLERANCE = 1e-4f;
    /** Determinism: two builds with the same seed may differ by at most this, relative. */
    static final float SEED_TOLERANCE = 1e-6f;

    private Checks() {}

    static CheckResult shape(Subject s) {
        boolean[] modes = s.component().causalSafe() ? new boolean[] {true, false} : new boolean[] {false};
        for (boolean causal : modes) {
            try (NDManager m = NDManager.newBaseManager()) {
                Subject.Built b = s.build(m, causal);
                NDArray x = s.input(m);
                for (boolean training : new boolean[] {true, false}) {
                    Shape out = b.forward(m, x, training).getShape();
                    if (!out.equals(x.getShape())) {
                        return CheckResult.fail(Check.SHAPE, "output " + out + " for input " + x.getShape()
                                + " (" + (causal ? "causal" : "bidirectional") + ", " + (training ? "training" : "inference") + ")");
                    }
                }
            }
        }
        return CheckResult.pass(Check.SHAPE, String.valueOf(s.inputShape()));
    }

    static CheckResult causality(Subject s) {
        if (!s.component().causalSafe()) {
            return CheckResult.skip(Check.CAUSALITY, "not causal-safe: refused on causal tasks");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Subject.Built b = s.build(m, true);
            NDArray x = s.input(m);
            long seq = x.getShape().get(1);
            float worst = 0;
            int worstT = -1;
            float scale = 1;
            for (long t : new long[] {0, seq / 2 - 1, seq - 2}) {
                NDArray head = x.get(":, :" + (t + 1) + ", :");
                NDArray tail = m.randomNormal(new Shape(x.getShape().get(0), seq - t - 1, x.getShape().get(2))).mul(10);
                NDArray perturbed = NDArrays.concat(new NDList(head, tail), 1);
                String upTo = ":, :" + (t + 1) + ", :";
                NDArray before = b.forward(m, x, false).get(upTo);
                NDArray after = b.forward(m, perturbed, false).get(upTo);
                float leak = before.sub(after).abs().max().getFloat();
                scale = Math.max(scale, before.abs().max().getFloat());
                if (Float.isNaN(leak) || leak > worst) {
                    worst = leak;
                    worstT = (int) t;
                }
                if (Float.isNaN(leak)) break;
            }
            float tolerance = CAUSAL_TOLERANCE * scale;
            String measured = "max change " + fmt(worst) + " at positions <= " + worstT + " (tolerance " + fmt(tolerance) + ")";
            return Float.isNaN(worst) || worst > tolerance
                    ? CheckResult.fail(Check.CAUSALITY, "reads the future: " + measured)
                    : CheckResult.pass(Check.CAUSALITY, measured);
        }
    }

    /**
     * Backpropagates a random projection of the output (plus any auxiliary loss) inside the
     * trainer's {@link StepScope}, with a garbage collection between forward and backward as can
     * happen in real training. Parameters initialised to zero on purpose (ReZero's gate, DenseFormer's
     * weights) can block the gradient to other parameters at initialisation, so parameters that get
     * none are checked again after every parameter is moved by a small random amount.
     */
    static CheckResult gradients(Subject s) {
        List<String> missing = gradientProblems(s, false);
        if (missing.isEmpty()) {
            return CheckResult.pass(Check.GRADIENTS, "every parameter and the input");
        }
        List<String> stillMissing = gradientProblems(s, true);
        if (stillMissing.isEmpty()) {
            return CheckResult.pass(Check.GRADIENTS, "every parameter and the input (after moving zero-initialised parameters)");
        }
        return CheckResult.fail(Check.GRADIENTS, String.join("; ", stillMissing));
    }

    private static List<String> gradientProblems(Subject s, boolean perturb) {
        List<String> problems = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Subject.Built b = s.build(m, s.component().causalSafe());
            NDArray x = s.input(m);
            List<Pair<String, Parameter>> parameters = new ArrayList<>();
            for (Pair<String, Parameter> p : b.stack().getParameters()) {
                if (p.getValue().requiresGradient()) parameters.add(p);
            }
            if (perturb) {
                for (Pair<String, Parameter> p : parameters) {
                    NDArray a = p.getValue().getArray();
                    a.addi(m.randomNormal(a.getShape()).mul(0.05f));
                }
            }
            x.setRequiresGradient(true);
            try (StepScope scope = new StepScope();
                    GradientCollector collector = m.getEngine().newGradientCollector()) {
                NDArray y = b.forward(m, x, true);
                NDArray loss = y.mul(m.randomNormal(y.getShape())).sum();
                for (NDArray aux : b.auxiliaryLosses()) loss = loss.add(aux);
                System.gc();
                collector.backward(loss);
                for (Pair<String, Parameter> p : parameters) {
                    problems.addAll(problem(p.getKey(), p.getValue().getArray().getGradient()));
                }
                problems.addAll(problem("input", x.getGradient()));
            }
        }
        return problems;
    }

    private static List<String> problem(String name, NDArray gradient) {
        float size = gradient.abs().sum().getFloat();
        if (!Float.isFinite(size)) return List.of(name + ": gradient not finite");
        if (size == 0f) return List.of(name + ": no gradient");
        return List.of();
    }

    /**
     * One layer, not the stack: in a model a norm or residual operator sits between two token
     * mixers, and a raw stack of two unnormalised polynomial blocks (Mamba's x * B * C * gate)
     * overflows float32 on inputs x1000 whatever their implementation.
     */
    static CheckResult largeInputs(Subject s) {
        try (NDManager m = NDManager.newBaseManager()) {
            Subject.Built b = s.build(m, s.component().causalSafe(), 1);
            NDArray x = s.input(m);
            float largest = 0;
            for (float factor : new float[] {100f, 1000f}) {
                for (boolean training : new boolean[] {false, true}) {
                    NDArray y = b.forward(m, x.mul(factor), training);
                    float max = y.abs().max().getFloat();
                    if (!Float.isFinite(max)) {
                        return CheckResult.fail(Check.LARGE_INPUTS, "non-finite output for inputs x" + (int) factor
                                + " (" + (training ? "training" : "inference") + ")");
                    }
                    largest = Math.max(largest, max);
                }
            }
            return CheckResult.pass(Check.LARGE_INPUTS, "max |y| " + fmt(largest) + " for inputs x1000");
        }
    }

    static CheckResult determinism(Subject s) {
        boolean causal = s.component().causalSafe();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = s.input(m);
            Subject.Built first = s.build(m, causal);
            NDArray a = first.forward(m, x, false);
            NDArray again = first.forward(m, x, false);
            Subject.Built second = s.build(m, causal);
            NDArray b = second.forward(m, x, false);
            float scale = Math.max(1f, a.abs().max().getFloat());
            float rerun = a.sub(again).abs().max().getFloat();
            float rebuilt = a.sub(b).abs().max().getFloat();
            float tolerance = SEED_TOLERANCE * scale;
            if (!(rerun <= tolerance)) {
                return CheckResult.fail(Check.DETERMINISM, "two forward passes of one block differ by " + fmt(rerun));
            }
            if (!(rebuilt <= tolerance)) {
                return CheckResult.fail(Check.DETERMINISM, "two builds with the same seed differ by " + fmt(rebuilt));
            }
            return CheckResult.pass(Check.DETERMINISM, "max difference " + fmt(Math.max(rerun, rebuilt)));
        }
    }

    static CheckResult parameterCount(Subject s) {
        try (NDManager m = NDManager.newBaseManager()) {
            Subject.Built b = s.build(m, s.component().causalSafe());
            boolean residual = s.component() instanceof ResidualComponent;
            long measured = residual ? b.measuredTotal() - b.measuredSublayers() : b.measuredTotal();
            String what = residual ? "own parameters (sublayers excluded)" : "parameters";
            if (b.declared() < 0) {
                return CheckResult.fail(Check.PARAMETER_COUNT, "parameterCount() not declared; measured " + measured + " " + what);
            }
            if (b.declared() != measured) {
                return CheckResult.fail(Check.PARAMETER_COUNT, "declared " + b.declared() + " but measured " + measured + " " + what);
            }
            return CheckResult.pass(Check.PARAMETER_COUNT, measured + " " + what);
        }
    }

    static String fmt(float v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
