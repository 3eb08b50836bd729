package dev.strata.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The median stopping rule: thresholds from earlier curves, the stop decision, and its replay on a recorded curve. */
class MedianStoppingTest {

    /** A validation curve with these losses at steps 10, 20, 30, ... (and a train point, which is ignored). */
    static List<CurvePoint> curve(double... valLosses) {
        List<CurvePoint> c = new ArrayList<>();
        for (int i = 0; i < valLosses.length; i++) {
            c.add(new CurvePoint(10 * (i + 1), "train", 99.0, Double.NaN));
            c.add(new CurvePoint(10 * (i + 1), "val", valLosses[i], 0.5));
        }
        return c;
    }

    @Test
    void thresholdIsTheMedianAtEachStepWithAtLeastThreeTrials() {
        // Step 10: 4 trials (median of 1, 2, 3, 5 = 2.5); step 20: 3 (median 1.5); step 30: only 2, no threshold.
        Map<Integer, Double> t = MedianStopping.thresholds(List.of(curve(3, 2, 1), curve(1, 1.5), curve(5, 1, 0.5), curve(2)));
        assertThat(t).containsExactly(Map.entry(10, 2.5), Map.entry(20, 1.5));
        assertThat(MedianStopping.thresholds(List.of(curve(1, 2), curve(3, 4)))).isEmpty();
        assertThat(MedianStopping.thresholds(List.of())).isEmpty();
        // Non-finite losses do not count.
        assertThat(MedianStopping.thresholds(List.of(curve(1), curve(2), curve(Double.NaN)))).isEmpty();
    }

    @Test
    void stopsOnlyWhenStrictlyWorseThanTheThreshold() {
        Map<Integer, Double> t = Map.of(10, 2.5, 20, 1.5);
        assertThat(MedianStopping.stops(t, 10, 2.6)).isTrue();
        assertThat(MedianStopping.stops(t, 10, 2.5)).isFalse();
        assertThat(MedianStopping.stops(t, 20, 1.0)).isFalse();
        assertThat(MedianStopping.stops(t, 30, 100.0)).as("no threshold at step 30").isFalse();
        assertThat(MedianStopping.stops(Map.of(), 10, 100.0)).isFalse();
    }

    @Test
    void replayFindsWhereARecordedCurveWouldStop() {
        Map<Integer, Double> t = Map.of(10, 2.5, 20, 1.5, 30, 0.1);
        assertThat(MedianStopping.replay(curve(2, 1.6, 1), t, 40)).isEqualTo(20);
        assertThat(MedianStopping.replay(curve(3, 1.6, 1), t, 40)).isEqualTo(10);
        assertThat(MedianStopping.replay(curve(2, 1.0, 0.05, 0.01), t, 40)).isEqualTo(-1);
        // The last evaluation (step == steps) is never a stopping point.
        assertThat(MedianStopping.replay(curve(2, 1.0, 5), t, 30)).isEqualTo(-1);
        assertThat(MedianStopping.replay(curve(9, 9, 9), Map.of(), 40)).isEqualTo(-1);
    }
}
