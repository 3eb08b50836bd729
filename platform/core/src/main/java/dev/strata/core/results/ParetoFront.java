package dev.strata.core.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The non-dominated points of a set, every objective minimised (negate one that is maximised; see
 * {@link Objective#oriented}). A point is dominated when another is no worse in every objective
 * and better in at least one; equal points do not dominate each other, so both stay.
 *
 * <p>Two objectives: sort by the first, then sweep keeping the running minimum of the second,
 * O(n log n). More: sort lexicographically (a point can only be dominated by one before it) and
 * test each point against the front so far, O(n log n + n f) for a front of f points.
 */
public final class ParetoFront {

    /** A candidate: its id and its objective values, all to be minimised. No NaN. */
    public record Point(long id, double[] values) {
        public Point {
            for (double v : values) {
                if (Double.isNaN(v)) throw new IllegalArgumentException("point " + id + " has a NaN objective");
            }
        }
    }

    private ParetoFront() {}

    /** The non-dominated points, ordered by the first objective (then the next ones, then id). */
    public static List<Point> of(List<Point> points) {
        if (points.isEmpty()) return List.of();
        int k = points.getFirst().values().length;
        for (Point p : points) {
            if (p.values().length != k) throw new IllegalArgumentException("points have different numbers of objectives");
        }
        Point[] sorted = points.toArray(Point[]::new);
        Arrays.sort(sorted, LEXICOGRAPHIC);
        return switch (k) {
            case 0 -> List.of(sorted);
            case 1 -> sweep1(sorted);
            case 2 -> sweep2(sorted);
            default -> filter(sorted);
        };
    }

    private static final Comparator<Point> LEXICOGRAPHIC = (a, b) -> {
        int c = Arrays.compare(a.values(), b.values());
        return c != 0 ? c : Long.compare(a.id(), b.id());
    };

    private static List<Point> sweep1(Point[] sorted) {
        double best = sorted[0].values()[0];
        List<Point> out = new ArrayList<>();
        for (Point p : sorted) {
            if (p.values()[0] == best) out.add(p);
            else break;
        }
        return out;
    }

    /** Sorted by (x, y): a point is on the front when its y is below every earlier y, or it repeats the last front point. */
    private static List<Point> sweep2(Point[] sorted) {
        List<Point> out = new ArrayList<>();
        out.add(sorted[0]); // the lowest x (lowest y among those): nothing can dominate it
        double bestX = sorted[0].values()[0];
        double bestY = sorted[0].values()[1];
        for (int i = 1; i < sorted.length; i++) {
            Point p = sorted[i];
            double x = p.values()[0];
            double y = p.values()[1];
            if (y < bestY || (y == bestY && x == bestX)) {
                out.add(p);
                bestY = y;
                bestX = x;
            }
        }
        return out;
    }

    private static List<Point> filter(Point[] sorted) {
        List<Point> front = new ArrayList<>();
        for (Point p : sorted) {
            boolean dominated = false;
            for (Point q : front) {
                if (dominates(q.values(), p.values())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) front.add(p);
        }
        return front;
    }

    /** Whether {@code a} is no worse than {@code b} everywhere and better somewhere. */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) return false;
            if (a[i] < b[i]) better = true;
        }
        return better;
    }
}
