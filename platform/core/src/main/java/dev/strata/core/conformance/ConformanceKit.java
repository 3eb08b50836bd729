package dev.strata.core.conformance;

import dev.strata.api.Component;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceComponent;
import dev.strata.core.model.ModelComposer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The checks every component must pass, for built-in and third-party plugins alike: output shape,
 * causality in causal mode, gradients to every parameter, finite outputs for large inputs,
 * determinism under a seed, and a declared parameter count that matches the block.
 *
 * <p>Each component is checked with its default parameters and, unless {@link Settings#allVariants()}
 * is off, once more for each search value of each dimension (one dimension changed at a time), so
 * a head count or activation the search will try is checked too. A variant the component refuses
 * to build (an IllegalArgumentException, e.g. heads not dividing d_model) is skipped; defaults
 * that do not build fail. The components are built {@link Settings#depth()} layers deep, the way
 * the platform's model runs them (see {@link ComponentStack}); residual components get small
 * stand-in sublayers ({@link KitSublayers}).
 *
 * <p>Used by {@code strata plugins verify}, by the JUnit suite over every discovered component, and
 * by plugin authors' own tests through the testkit.
 */
public final class ConformanceKit {

    /**
     * @param allVariants also check each non-default search value of each dimension
     */
    public record Settings(int batch, int sequenceLength, int dModel, int depth, long seed, boolean allVariants) {
        public Settings {
            if (batch < 1 || sequenceLength < 4 || dModel < 1 || depth < 1) {
                throw new IllegalArgumentException("kit settings out of range: batch " + batch + ", seq " + sequenceLength
                        + ", d_model " + dModel + ", depth " + depth);
            }
        }

        /** Batch 2, 16 positions, d_model 32, two layers, seed 42, every variant. */
        public static Settings defaults() {
            return new Settings(2, 16, 32, 2, 42, true);
        }

        public Settings withAllVariants(boolean all) {
            return new Settings(batch, sequenceLength, dModel, depth, seed, all);
        }
    }

    private static final List<Map.Entry<Check, Function<Subject, CheckResult>>> CHECKS = List.of(
            Map.entry(Check.SHAPE, Checks::shape),
            Map.entry(Check.CAUSALITY, Checks::causality),
            Map.entry(Check.GRADIENTS, Checks::gradients),
            Map.entry(Check.LARGE_INPUTS, Checks::largeInputs),
            Map.entry(Check.DETERMINISM, Checks::determinism),
            Map.entry(Check.PARAMETER_COUNT, Checks::parameterCount));

    private final Settings settings;

    public ConformanceKit(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public ConformanceKit() {
        this(Settings.defaults());
    }

    public Settings settings() {
        return settings;
    }

    /** True for components the kit checks: sequence components and residual operators (not tasks). */
    public static boolean applies(Component component) {
        return component instanceof SequenceComponent || component instanceof ResidualComponent;
    }

    /** Reports for the defaults and each variant; empty for components the kit does not apply to. */
    public List<ComponentReport> verify(Component component) {
        if (!applies(component)) return List.of();
        List<ComponentReport> reports = new ArrayList<>();
        List<Params> variants = settings.allVariants() ? variants(component) : List.of(Params.empty());
        for (int i = 0; i < variants.size(); i++) {
            reports.add(verify(component, variants.get(i), i == 0));
        }
        return reports;
    }

    /**
     * Runs every check on one set of parameters (merged over the defaults).
     *
     * @param required false for a non-default variant, which the component may refuse to build
     */
    public ComponentReport verify(Component component, Params given, boolean required) {
        Params params;
        try {
            params = ModelComposer.resolveParams(component, given);
        } catch (IllegalArgumentException e) {
            return uniform(component, given, required, "parameters refused: " + e.getMessage());
        }
        Subject subject = new Subject(component, params, settings);
        List<CheckResult> results = new ArrayList<>();
        for (Map.Entry<Check, Function<Subject, CheckResult>> check : CHECKS) {
            try {
                results.add(check.getValue().apply(subject));
            } catch (Subject.BuildRefused e) {
                if (results.isEmpty()) {
                    // The first build refused these parameters: a documented refusal, not a defect,
                    // unless these are the defaults.
                    return uniform(component, params, required, "build refused: " + e.getMessage());
                }
                results.add(CheckResult.fail(check.getKey(), oneLine(e)));
            } catch (RuntimeException | LinkageError e) {
                results.add(CheckResult.fail(check.getKey(), oneLine(e)));
            }
        }
        return new ComponentReport(component.id(), params, results);
    }

    private static ComponentReport uniform(Component component, Params params, boolean required, String why) {
        List<CheckResult> results = new ArrayList<>();
        for (Map.Entry<Check, Function<Subject, CheckResult>> check : CHECKS) {
            results.add(required ? CheckResult.fail(check.getKey(), why) : CheckResult.skip(check.getKey(), why));
        }
        return new ComponentReport(component.id(), params, results);
    }

    /**
     * The defaults first (empty params), then each dimension's non-default search values, one
     * dimension at a time. Text dimensions (file names) are never varied.
     */
    public static List<Params> variants(Component component) {
        List<Params> out = new ArrayList<>();
        out.add(Params.empty());
        for (Dimension d : component.dimensions()) {
            if (d.type() == Dimension.Type.TEXT) continue;
            for (Object value : d.searchValues()) {
                if (Objects.equals(value, d.defaultValue())) continue;
                Map<String, Object> one = new LinkedHashMap<>();
                one.put(d.name(), value);
                out.add(Params.of(one));
            }
        }
        return out;
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline) + " ...";
    }
}
