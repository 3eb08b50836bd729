package dev.strata.cli.serve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the charts need from many trials, computed in Java so that a page never receives
 * thousands of rows it cannot show: the best-so-far steps, the Pareto front, and a sample of the
 * remaining points that keeps each stretch's lowest and highest point.
 */
final class ChartData {

    private ChartData() {}

    /**
     * The trials that improved on every earlier one: the steps of the best-so-far line.
     *
     * @param byOrdinal finished trials in ordinal order
     */
    static List<TrialPoint> bestSoFar(List<TrialPoint> byOrdinal) {
        List<TrialPoint> steps = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (TrialPoint p : byOrdinal) {
            if (p.valLoss() < best) {
                best = p.valLoss();
                steps.add(p);
            }
        }
        return steps;
    }

    /**
     * At most about {@code max} of {@code points}, in their order: all of them when there are that
     * few, else for each run of consecutive points its lowest and highest loss, so the cloud's
     * envelope (and every outlier's stretch) stays visible.
     */
    static List<TrialPoint> sample(List<TrialPoint> points, int max) {
        if (points.size() <= max) return points;
        int buckets = Math.max(1, max / 2);
        int size = (points.size() + buckets - 1) / buckets;
        List<TrialPoint> out = new ArrayList<>(2 * buckets);
        for (int start = 0; start < points.size(); start += size) {
            List<TrialPoint> bucket = points.subList(start, Math.min(points.size(), start + size));
            TrialPoint lo = bucket.getFirst();
            TrialPoint hi = bucket.getFirst();
            for (TrialPoint p : bucket) {
                if (p.valLoss() < lo.valLoss()) lo = p;
                if (p.valLoss() > hi.valLoss()) hi = p;
            }
            Set<TrialPoint> keep = new LinkedHashSet<>();
            if (bucket.indexOf(lo) <= bucket.indexOf(hi)) {
                keep.add(lo);
                keep.add(hi);
            } else {
                keep.add(hi);
                keep.add(lo);
            }
            out.addAll(keep);
        }
        return out;
    }

    /**
     * The points no other point beats on both size ({@code x}, here the parameter count) and
     * validation loss, smallest first: the same set as the {@code pareto_front} view (equal
     * points do not dominate each other, so both stay), in O(n log n) instead of the view's
     * pairwise comparison.
     */
    static List<TrialPoint> paretoFront(List<TrialPoint> points) {
        List<TrialPoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(TrialPoint::x).thenComparingDouble(TrialPoint::valLoss).thenComparingLong(TrialPoint::id));
        List<TrialPoint> front = new ArrayList<>();
        double bestLoss = Double.POSITIVE_INFINITY;
        double bestX = Double.NaN;
        for (TrialPoint p : sorted) {
            if (p.valLoss() < bestLoss) {
                bestLoss = p.valLoss();
                bestX = p.x();
                front.add(p);
            } else if (p.valLoss() == bestLoss && p.x() == bestX) {
                front.add(p); // an equal twin (e.g. a cached copy) is not dominated
            }
        }
        return front;
    }
}
