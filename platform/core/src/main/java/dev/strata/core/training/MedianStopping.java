package dev.strata.core.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Early stopping by the median stopping rule (Golovin et al. 2017, "Google Vizier", section 3.2.2),
 * on validation loss at evaluation steps: a trial whose validation loss at an evaluation step is
 * worse (higher) than the median of the validation losses that earlier finished trials of the same
 * rung, recipe and task had at that same step stops there. A step needs at least {@link #MIN_TRIALS}
 * such losses to have a threshold.
 *
 * <p>The orchestrator computes the thresholds ({@link #thresholds}) when it starts a trial, from the
 * curves of the trials finished before it was planned, and sends them in the {@link TrialRequest};
 * the trainer checks them ({@link #stops}) at each evaluation before the last. The final evaluation
 * is never a stopping point: there is nothing left to save. Earlier trials that were themselves
 * stopped count at the steps they reached.
 */
public final class MedianStopping {

    /** Earlier trials with a validation loss at a step that a threshold at that step needs. */
    public static final int MIN_TRIALS = 3;

    /** The metric a stopped trial carries: the step it stopped at. */
    public static final String STOPPED_AT_STEP = "stopped_at_step";

    private MedianStopping() {}

    /**
     * Step -> median validation loss over the curves that have a finite validation loss at that
     * step, for the steps where at least {@link #MIN_TRIALS} curves do.
     */
    public static SortedMap<Integer, Double> thresholds(Collection<? extends List<CurvePoint>> curves) {
        SortedMap<Integer, List<Double>> byStep = new TreeMap<>();
        for (List<CurvePoint> curve : curves) {
            for (CurvePoint p : curve) {
                if ("val".equals(p.split()) && Double.isFinite(p.loss())) {
                    byStep.computeIfAbsent(p.step(), s -> new ArrayList<>()).add(p.loss());
                }
            }
        }
        SortedMap<Integer, Double> out = new TreeMap<>();
        byStep.forEach((step, losses) -> {
            if (losses.size() >= MIN_TRIALS) out.put(step, median(losses));
        });
        return out;
    }

    /** Whether a trial with {@code valLoss} at {@code step} stops there: strictly worse than the step's threshold. */
    public static boolean stops(Map<Integer, Double> thresholds, int step, double valLoss) {
        Double t = thresholds.get(step);
        return t != null && valLoss > t;
    }

    /**
     * Where a trial with this (deterministic) validation curve would stop under {@code thresholds}:
     * the first evaluation step before {@code steps} at which it {@link #stops}, or -1 when it would
     * train to the end. Used to decide whether an earlier identical trial answers a new one exactly.
     */
    public static int replay(List<CurvePoint> curve, Map<Integer, Double> thresholds, int steps) {
        if (thresholds.isEmpty()) return -1;
        return curve.stream().filter(p -> "val".equals(p.split()) && p.step() < steps).sorted(java.util.Comparator.comparingInt(CurvePoint::step))
                .filter(p -> stops(thresholds, p.step(), p.loss())).mapToInt(CurvePoint::step).findFirst().orElse(-1);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
