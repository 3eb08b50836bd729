package dev.strata.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SearchSpaceLoaderTest;
import dev.strata.core.space.SpaceFixtures;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The asynchronous search loop: busy workers, successive halving, several objectives with constraints. */
class AsyncSearchTest {

    @TempDir
    Path dir;

    private SearchSpace space(String yaml) throws Exception {
        return new SearchSpaceLoader(SpaceFixtures.registry()).load(SpaceFixtures.write(dir, "s.yaml", yaml));
    }

    /** The toy landscape of {@link RegularizedEvolutionTest}, a little better with more steps. */
    static TrialResult score(TrialRequest r) {
        TrialResult base = RegularizedEvolutionTest.score(r);
        Map<String, Double> m = new HashMap<>(base.metrics());
        m.put("val_loss", m.get("val_loss") + 1.0 / r.recipe().steps());
        return new TrialResult(r.trialId(), true, null, m, List.of(), Map.of());
    }

    @Test
    void twoWorkersAreKeptBusyByASleepingEvaluator() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID.replace("trials: 6", "trials: 16"));
        ExecutorService workers = Executors.newFixedThreadPool(2);
        AtomicLong busyNanos = new AtomicLong();
        // Trials take 300 to 500 ms, depending on the architecture: a generational search would wait for the slowest.
        TrialLauncher sleeping = req -> CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                Thread.sleep(300 + Math.floorMod(req.architecture().fingerprint().hashCode(), 201));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            busyNanos.addAndGet(System.nanoTime() - start);
            return score(req);
        }, workers);
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("busy")))) {
            long start = System.nanoTime();
            SearchOutcome o = new SearchRunner(store, sleeping, 2, "cpu").run(s, SearchListener.NONE);
            double utilisation = busyNanos.get() / (2.0 * (System.nanoTime() - start));
            System.out.printf("sleeping evaluator, 2 workers: %d trials, utilisation %.1f%%%n", o.trained(), 100 * utilisation);
            assertThat(o.trained()).isEqualTo(16);
            assertThat(utilisation).isGreaterThan(0.7); // about 0.95 on a quiet machine; the driver records each trial in H2 between launches
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void successiveHalvingPromotesTheBestThirdOfEachRung() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID.replace("trials: 6", "trials: 27").replace("steps: 50", "steps: 90")
                + "fidelity: {rungs: 3, eta: 3}\n");
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("asha")))) {
            SearchOutcome o = new SearchRunner(store, req -> CompletableFuture.completedFuture(score(req)), 1, "cpu").run(s, SearchListener.NONE);
            List<List<Object>> rungs = store.readOnlyQuery("SELECT rung, COUNT(*), MIN(CAST(CAST((recipe).\"steps\" AS VARCHAR) AS INT)) FROM trial"
                    + " WHERE search_id = " + o.searchId() + " GROUP BY rung ORDER BY rung").rows();
            // ASHA promotes whatever is in the best third of a rung so far; as evolution keeps finding better
            // candidates, more than a third may be promoted in the end, but far from all.
            int[] counts = rungs.stream().mapToInt(r -> Integer.parseInt(String.valueOf(r.get(1)))).toArray();
            assertThat(counts[0]).isEqualTo(27);
            assertThat(counts[1]).isBetween(9, 20);
            assertThat(counts[2]).isBetween(3, counts[1] - 1);
            assertThat(10 * counts[0] + 30 * counts[1] + 90 * counts[2]).isLessThan(27 * 90 * 3 / 4);
            assertThat(rungs).extracting(r -> String.valueOf(r.get(2))).containsExactly("10", "30", "90");
            List<TrialSummary> trials = store.trials(o.searchId());
            TrialSummary best = store.trial(o.bestTrialId()).orElseThrow();
            assertThat(best.summary()).contains("rung=2");
            // The best candidate of rung 0 reaches the top rung.
            String bestAtRung0 = trials.stream().filter(t -> t.summary().contains("rung=0"))
                    .min(java.util.Comparator.comparingDouble(TrialSummary::valLoss)).orElseThrow().fingerprint();
            assertThat(trials).anyMatch(t -> t.summary().contains("rung=2") && t.fingerprint().equals(bestAtRung0));
            // Promotions record the trial they were promoted from.
            assertThat(store.readOnlyQuery("SELECT COUNT(*) FROM trial WHERE search_id = " + o.searchId() + " AND rung > 0 AND parent_trial_id IS NULL")
                    .rows().getFirst().getFirst().toString()).isEqualTo("0");
        }
    }

    @Test
    void nsga2NeverReturnsATrialThatBreaksAConstraint() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID.replace("trials: 6", "trials: 20")
                .replace("strategy: {population: 4, tournament: 2}", "strategy: {name: nsga2, population: 6}")
                + "objectives: {val_loss: minimize, params: minimize}\nconstraints: [\"params <= 2000\"]\n");
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("nsga2")))) {
            SearchOutcome o = new SearchRunner(store, req -> CompletableFuture.completedFuture(score(req)), 2, "cpu").run(s, SearchListener.NONE);
            TrialSummary best = store.trial(o.bestTrialId()).orElseThrow();
            assertThat(best.params()).isLessThanOrEqualTo(2000);
            assertThat(store.readOnlyQuery("SELECT objectives, constraints FROM search WHERE id = " + o.searchId()).rows().getFirst())
                    .containsExactly("val_loss:min,params:min", "params<=2000.0");
            // The search learns the constraint: most of its children meet it.
            List<TrialSummary> children = store.trials(o.searchId()).subList(6, 20);
            assertThat(children.stream().filter(t -> t.params() <= 2000).count()).isGreaterThan(children.size() / 2);
        }
    }
}
