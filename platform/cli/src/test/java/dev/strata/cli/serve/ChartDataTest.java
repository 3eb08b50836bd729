package dev.strata.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChartDataTest {

    @Test
    void bestSoFarKeepsExactlyTheTrialsThatImprovedOnAllEarlierOnes() {
        List<TrialPoint> pts = List.of(p(1, 1, 3.0), p(2, 2, 2.5), p(3, 3, 2.7), p(4, 4, 2.5), p(5, 5, 1.0), p(6, 6, 1.2));
        assertThat(ChartData.bestSoFar(pts)).extracting(TrialPoint::id).containsExactly(1L, 2L, 5L);
    }

    @Test
    void sampleLeavesFewPointsAloneAndKeepsTheExtremesOfEveryStretchOfMany() {
        List<TrialPoint> few = randomPoints(50, 1);
        assertThat(ChartData.sample(few, 100)).isSameAs(few);

        List<TrialPoint> many = randomPoints(10_000, 2);
        List<TrialPoint> shown = ChartData.sample(many, 2000);
        assertThat(shown.size()).isBetween(1000, 2000);
        assertThat(shown).isSortedAccordingTo((a, b) -> Double.compare(a.x(), b.x()));
        double min = many.stream().mapToDouble(TrialPoint::valLoss).min().orElseThrow();
        double max = many.stream().mapToDouble(TrialPoint::valLoss).max().orElseThrow();
        assertThat(shown).anyMatch(q -> q.valLoss() == min).anyMatch(q -> q.valLoss() == max);
        // every stretch of 10 consecutive points (10,000 / 1000 buckets) is represented by its lowest point
        for (int start = 0; start < many.size(); start += 10) {
            TrialPoint lo = many.subList(start, start + 10).stream().min((a, b) -> Double.compare(a.valLoss(), b.valLoss())).orElseThrow();
            assertThat(shown).contains(lo);
        }
    }

    @Test
    void paretoFrontIsTheSetOfNonDominatedPointsIncludingEqualTwins() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int round = 0; round < 50; round++) {
            List<TrialPoint> pts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // few distinct values so that ties in either coordinate are common
                pts.add(p(i + 1, 1000 * (1 + rnd.nextInt(12)), 0.5 + 0.1 * rnd.nextInt(10)));
            }
            pts.add(p(1000, pts.get(7).x(), pts.get(7).valLoss())); // an exact twin, as a cached copy is
            assertThat(ids(ChartData.paretoFront(pts))).isEqualTo(ids(bruteForceFront(pts)));
        }
    }

    /** The definition of the pareto_front view: no other point is <= on both and < on one. */
    private static List<TrialPoint> bruteForceFront(List<TrialPoint> pts) {
        return pts.stream().filter(t -> pts.stream().noneMatch(o -> o.x() <= t.x() && o.valLoss() <= t.valLoss()
                && (o.x() < t.x() || o.valLoss() < t.valLoss()))).toList();
    }

    private static List<Long> ids(List<TrialPoint> pts) {
        return pts.stream().map(TrialPoint::id).sorted().collect(Collectors.toList());
    }

    private static List<TrialPoint> randomPoints(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TrialPoint> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) out.add(p(i, i, rnd.nextDouble() * 3));
        return out;
    }

    private static TrialPoint p(long id, double x, double loss) {
        return new TrialPoint(id, x, loss);
    }
}
