package dev.strata.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SearchSpaceLoaderTest;
import dev.strata.core.space.SpaceFixtures;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.MedianStopping;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping (the median stopping rule) through the search loop, with a toy launcher that
 * "trains" a curve and honours the thresholds the search sends, as the trainer does.
 */
class EarlyStoppingSearchTest {

    static final int STEPS = 50;
    /**
     * Random search: its candidates do not improve over time (evolution's soon beat the median of
     * the early ones and rarely stop), and they do not depend on what it is told.
     */
    static final String SPACE = SearchSpaceLoaderTest.VALID.replace("trials: 6", "trials: 20")
            .replace("strategy: {population: 4, tournament: 2}", "strategy: {name: random}")
            .replace("recipe: {steps: 50, batch: 8, lr: 1e-3}", "recipe: {steps: 50, batch: 8, lr: 1e-3, eval_every: 10}")
            + "fidelity: {early_stop: true}\n";

    @TempDir
    Path dir;

    private SearchSpace space(String name, String yaml) throws Exception {
        return new SearchSpaceLoader(SpaceFixtures.registry()).load(SpaceFixtures.write(dir, name, yaml));
    }

    /**
     * Validation loss at step s is the architecture's final loss (the toy landscape of
     * {@link RegularizedEvolutionTest}) plus (steps - s) / steps: every curve falls the same way,
     * so a candidate is behind the median at a step exactly when its final loss is. Evaluations
     * every {@code eval_every} steps; the trial stops at the first one worse than its threshold.
     */
    static final class CurveLauncher implements TrialLauncher {
        final AtomicLong stepsTrained = new AtomicLong();
        final List<Map<Integer, Double>> thresholdsSeen = new ArrayList<>();

        @Override
        public CompletableFuture<TrialResult> launch(TrialRequest r) {
            thresholdsSeen.add(r.stopThresholds());
            TrialResult base = RegularizedEvolutionTest.score(r);
            double fin = base.metric("val_loss");
            int total = r.recipe().steps();
            int every = r.recipe().evalEvery();
            List<CurvePoint> curve = new ArrayList<>();
            int done = total;
            double loss = fin;
            for (int s = every; s < total; s += every) {
                double l = fin + (double) (total - s) / total;
                curve.add(new CurvePoint(s, "val", l, 0.5));
                if (MedianStopping.stops(r.stopThresholds(), s, l)) {
                    done = s;
                    loss = l;
                    break;
                }
            }
            if (done == total) curve.add(new CurvePoint(total, "val", fin, 0.5));
            stepsTrained.addAndGet(done);
            Map<String, Double> m = new LinkedHashMap<>(base.metrics());
            m.put("val_loss", loss);
            if (done < total) m.put(MedianStopping.STOPPED_AT_STEP, (double) done);
            return CompletableFuture.completedFuture(new TrialResult(r.trialId(), true, null, m, curve, Map.of()));
        }
    }

    private record Row(String fingerprint, double valLoss, double stoppedAt, String status) {}

    private static List<Row> rows(ResultsStore store, long searchId) {
        return store.trials(searchId).stream().map(t -> new Row(t.fingerprint(), t.valLoss(),
                store.metrics(t.id()).getOrDefault(MedianStopping.STOPPED_AT_STEP, Double.NaN), t.status())).toList();
    }

    @Test
    void hopelessTrialsStopAtTheirFirstEvaluationBehindTheMedianAndTrainFewerSteps() throws Exception {
        SearchSpace s = space("es.yaml", SPACE);
        CurveLauncher launcher = new CurveLauncher();
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("es")))) {
            SearchOutcome o = new SearchRunner(store, launcher, 1, "cpu").run(s, SearchListener.NONE);
            List<TrialSummary> trials = store.trials(o.searchId());
            assertThat(trials).hasSize(20).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
            List<TrialSummary> stopped = trials.stream().filter(t -> store.metrics(t.id()).containsKey(MedianStopping.STOPPED_AT_STEP)).toList();
            System.out.printf("early stopping, 20 trials: %d stopped, %d of %d steps trained%n", stopped.size(), launcher.stepsTrained.get(), 20 * STEPS);

            assertThat(o.earlyStop()).isTrue();
            assertThat(stopped).hasSizeBetween(4, 16);
            assertThat(o.stoppedEarly()).isEqualTo(stopped.size());
            assertThat(o.stepsPlanned()).isEqualTo(20L * STEPS);
            assertThat(o.stepsSaved()).isEqualTo(20L * STEPS - launcher.stepsTrained.get()).isGreaterThan(0);
            // The first three trials have too few peers: no thresholds, full training.
            assertThat(launcher.thresholdsSeen.subList(0, 3)).allSatisfy(t -> assertThat(t).isEmpty());
            assertThat(launcher.thresholdsSeen.get(3)).containsOnlyKeys(10, 20, 30, 40, 50);

            // Every decision is the rule applied to the trials told before: replay it from the database.
            List<List<CurvePoint>> earlier = new ArrayList<>();
            for (TrialSummary t : trials) {
                List<CurvePoint> curve = store.curve(t.id());
                double at = store.metrics(t.id()).getOrDefault(MedianStopping.STOPPED_AT_STEP, -1.0);
                assertThat(MedianStopping.replay(curve, MedianStopping.thresholds(earlier), STEPS)).as("trial #" + t.ordinal())
                        .isEqualTo((int) at);
                earlier.add(curve);
            }
            // A stopped trial's curve ends where it stopped (before the last step), its recorded loss
            // is that evaluation's, and it is never the best trial.
            for (TrialSummary t : stopped) {
                double at = store.metrics(t.id()).get(MedianStopping.STOPPED_AT_STEP);
                assertThat(at).isIn(10.0, 20.0, 30.0, 40.0);
                assertThat(store.curve(t.id()).getLast().step()).isEqualTo((int) at);
                assertThat(t.valLoss()).isEqualTo(store.curve(t.id()).getLast().loss());
            }
            assertThat(stopped).extracting(TrialSummary::id).doesNotContain(o.bestTrialId());
        }
    }

    @Test
    void resumeReplaysTheSameStoppingDecisions() throws Exception {
        SearchSpace s = space("es.yaml", SPACE);
        Path db = dir.resolve("resume");
        List<Row> uninterrupted;
        long searchId;
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            searchId = new SearchRunner(store, new CurveLauncher(), 1, "cpu").run(s, SearchListener.NONE).searchId();
            uninterrupted = rows(store, searchId);
        }
        assertThat(uninterrupted).anyMatch(r -> !Double.isNaN(r.stoppedAt()));
        // As if the orchestrator died while trial #9 trained: later trials never existed, #9 is running.
        try (Connection c = DriverManager.getConnection(ResultsStore.fileUrl(db), "sa", ""); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM trial WHERE search_id = " + searchId + " AND ordinal > 9");
            st.executeUpdate("UPDATE search SET status = 'running', finished_at = NULL, best_trial_id = NULL WHERE id = " + searchId);
        }
        CurveLauncher again = new CurveLauncher();
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            long ninth = store.trials(searchId).get(8).id();
            store.restartTrial(ninth);
            SearchOutcome o = new SearchRunner(store, again, 1, "cpu").resume(s, searchId, SearchListener.NONE);
            assertThat(rows(store, o.searchId())).isEqualTo(uninterrupted);
        }
        // Only #9 and the eleven after it trained again.
        assertThat(again.thresholdsSeen).hasSize(12);
    }

    @Test
    void theCacheNeverAnswersAFullTrialWithAStoppedOne() throws Exception {
        SearchSpace early = space("es.yaml", SPACE);
        SearchSpace full = space("full.yaml", SPACE.replace("fidelity: {early_stop: true}\n", ""));
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("cache")))) {
            long first = new SearchRunner(store, new CurveLauncher(), 1, "cpu").run(early, SearchListener.NONE).searchId();
            List<Row> firstRows = rows(store, first);
            long stoppedCount = firstRows.stream().filter(r -> !Double.isNaN(r.stoppedAt())).count();
            assertThat(stoppedCount).isPositive();

            // The same early-stopping search again: every trial, stopped or not, is answered exactly; nothing trains.
            CurveLauncher second = new CurveLauncher();
            SearchOutcome again = new SearchRunner(store, second, 1, "cpu").run(early, SearchListener.NONE);
            assertThat(second.stepsTrained.get()).isZero();
            assertThat(again.cacheHits()).isEqualTo(20);
            assertThat(rows(store, again.searchId())).extracting(Row::fingerprint, Row::valLoss, Row::stoppedAt)
                    .isEqualTo(firstRows.stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.fingerprint(), r.valLoss(), r.stoppedAt())).toList());

            // Without early stopping, candidates that were stopped train in full; the others come from the cache.
            CurveLauncher third = new CurveLauncher();
            SearchOutcome o = new SearchRunner(store, third, 1, "cpu").run(full, SearchListener.NONE);
            assertThat(o.earlyStop()).isFalse();
            List<Row> fullRows = rows(store, o.searchId());
            assertThat(fullRows).allSatisfy(r -> assertThat(r.stoppedAt()).isNaN());
            assertThat(third.thresholdsSeen).allSatisfy(t -> assertThat(t).isEmpty());
            // Random search proposes the same candidates: exactly the stopped ones train again (in full).
            assertThat(fullRows).extracting(Row::fingerprint).isEqualTo(firstRows.stream().map(Row::fingerprint).toList());
            assertThat(o.cacheHits()).isEqualTo(20 - (int) stoppedCount);
            for (int i = 0; i < 20; i++) {
                assertThat(fullRows.get(i).status()).as("trial #" + (i + 1)).isEqualTo(Double.isNaN(firstRows.get(i).stoppedAt()) ? "cached" : "ok");
            }
        }
    }

    @Test
    void offWhenValidationLossIsNotAnObjective() throws Exception {
        SearchSpace s = space("acc.yaml", SPACE.replace("strategy: {name: random}", "strategy: {name: random}\nobjectives: {val_accuracy: maximize}"));
        assertThat(Trials.earlyStopping(s)).isFalse();
        assertThat(Trials.earlyStopping(space("on.yaml", SPACE))).isTrue();
        CurveLauncher launcher = new CurveLauncher();
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("acc")))) {
            SearchOutcome o = new SearchRunner(store, launcher, 1, "cpu").run(s, SearchListener.NONE);
            assertThat(o.earlyStop()).isFalse();
            assertThat(o.stoppedEarly()).isZero();
            assertThat(launcher.stepsTrained.get()).isEqualTo(20L * STEPS);
        }
    }
}
