package dev.strata.core.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParetoFrontTest {

    private static ParetoFront.Point p(long id, double... v) {
        return new ParetoFront.Point(id, v);
    }

    private static List<Long> ids(List<ParetoFront.Point> points) {
        return points.stream().map(ParetoFront.Point::id).toList();
    }

    /** The definition, O(n^2): what the sweeps must agree with. */
    private static List<Long> bruteForce(List<ParetoFront.Point> points) {
        List<Long> out = new ArrayList<>();
        for (ParetoFront.Point a : points) {
            boolean dominated = points.stream().anyMatch(b -> ParetoFront.dominates(b.values(), a.values()));
            if (!dominated) out.add(a.id());
        }
        return out;
    }

    @Test
    void twoObjectives() {
        List<ParetoFront.Point> pts = List.of(p(1, 1, 5), p(2, 2, 3), p(3, 3, 4), p(4, 4, 1), p(5, 2, 3), p(6, 1, 6), p(7, 5, 1));
        // 3 is beaten by 2; 6 by 1; 7 by 4; 2 and 5 are equal and both stay.
        assertThat(ids(ParetoFront.of(pts))).containsExactly(1L, 2L, 5L, 4L);
    }

    @Test
    void agreesWithTheDefinitionOnRandomSets() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int k = 1; k <= 4; k++) {
            for (int trial = 0; trial < 50; trial++) {
                List<ParetoFront.Point> pts = new ArrayList<>();
                int n = 1 + rnd.nextInt(200);
                for (int i = 0; i < n; i++) {
                    double[] v = new double[k];
                    for (int j = 0; j < k; j++) v[j] = rnd.nextInt(12); // small range: many ties
                    pts.add(p(i, v));
                }
                assertThat(ParetoFront.of(pts)).extracting(ParetoFront.Point::id)
                        .as("k=%d", k).containsExactlyInAnyOrderElementsOf(bruteForce(pts));
            }
        }
    }

    @Test
    void maximisedObjectivesAreNegated() {
        List<Objective> obj = Objective.parseList("val_loss:min, val_accuracy:max");
        assertThat(obj).containsExactly(new Objective("val_loss", false), new Objective("val_accuracy", true));
        assertThat(obj.get(1).oriented(0.9)).isEqualTo(-0.9);
        assertThat(Objective.parseList("params")).containsExactly(new Objective("params", false));
        assertThat(obj.toString()).isEqualTo("[val_loss:min, val_accuracy:max]");
    }

    @Test
    void badObjectivesAndConstraintsSayWhatIsWrong() {
        assertThatThrownBy(() -> Objective.parseList("val_loss:up")).hasMessage("objective 'val_loss:up': direction must be min or max");
        assertThatThrownBy(() -> Objective.parseList("val_loss,val_loss:max")).hasMessageContaining("val_loss appears twice");
        assertThatThrownBy(() -> Objective.parseList("")).hasMessageStartingWith("no objectives given");
        assertThatThrownBy(() -> Constraint.parseList("params<=2e6;flops")).hasMessage("constraint 'flops': expected METRIC<=NUMBER (or <, >=, >, =)");
        assertThatThrownBy(() -> Constraint.parseList("params<=lots")).hasMessage("constraint 'params<=lots': 'lots' is not a number");
    }

    @Test
    void constraints() {
        List<Constraint> c = Constraint.parseList("params<=2000000; flops_per_token < 5e5;val_accuracy>=0.5");
        assertThat(c).containsExactly(new Constraint("params", "<=", 2e6), new Constraint("flops_per_token", "<", 5e5),
                new Constraint("val_accuracy", ">=", 0.5));
        assertThat(c.get(0).test(2e6)).isTrue();
        assertThat(c.get(1).test(5e5)).isFalse();
        assertThat(c.get(2).test(Double.NaN)).as("not measured never satisfies").isFalse();
        assertThat(c.get(0)).hasToString("params<=2000000");
        assertThat(Constraint.parseList(null)).isEmpty();
        assertThat(Constraint.parseList("  ")).isEmpty();
    }
}
