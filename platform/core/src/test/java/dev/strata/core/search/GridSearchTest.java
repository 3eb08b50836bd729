package dev.strata.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.genome.Candidate;
import dev.strata.core.genome.Genome;
import dev.strata.core.results.QueryResult;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SearchSpaceLoaderTest;
import dev.strata.core.space.SpaceFixtures;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grid strategy and searched recipe values, on a real H2 file with a launcher that scores
 * candidates by a formula instead of training them.
 */
class GridSearchTest {

    @TempDir
    Path dir;

    static final String GRID = SearchSpaceLoaderTest.VALID.replace("strategy: {population: 4, tournament: 2}", "strategy: {name: grid}");
    static final String LRS = "lr: [1e-3, 3e-3, 1e-2]}";

    private SearchSpace space(String yaml) throws Exception {
        return new SearchSpaceLoader(SpaceFixtures.registry()).load(SpaceFixtures.write(dir, "s" + System.nanoTime() + ".yaml", yaml));
    }

    /** The formula of {@link RegularizedEvolutionTest#score}, plus a penalty for a learning rate far from 3e-3. */
    static TrialResult score(TrialRequest r) {
        TrialResult base = RegularizedEvolutionTest.score(r);
        double loss = base.metric("val_loss") + Math.abs(Math.log10(r.recipe().learningRate() / 3e-3));
        return new TrialResult(r.trialId(), true, null, java.util.Map.of("val_loss", loss), List.of(), java.util.Map.of());
    }

    private record Run(SearchOutcome outcome, List<TrialSummary> trials, ResultsStore store) {}

    private SearchOutcome run(SearchSpace space, int parallelism, TrialLauncher launcher, java.util.function.Consumer<Run> check) {
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("db" + System.nanoTime())))) {
            SearchOutcome o = new SearchRunner(store, launcher, parallelism, "cpu").run(space, SearchListener.NONE);
            check.accept(new Run(o, store.trials(o.searchId()), store));
            return o;
        }
    }

    private static List<Candidate> firstOfGrid(SearchSpace space, int n) {
        Genome g = Genome.of(space);
        List<Candidate> out = new ArrayList<>();
        for (Iterator<io.jenetics.Genotype<io.jenetics.IntegerGene>> it = g.grid(); it.hasNext() && out.size() < n; ) {
            out.add(g.candidate(it.next()));
        }
        return out;
    }

    @Test
    void gridTrainsTheSpaceInItsOrderUpToTheBudget() throws Exception {
        SearchSpace s = space(GRID.replace("trials: 6", "trials: 10"));
        TrialLauncher launcher = r -> CompletableFuture.completedFuture(RegularizedEvolutionTest.score(r));
        SearchOutcome a = run(s, 1, launcher, r -> {
            assertThat(r.trials()).extracting(TrialSummary::ordinal).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            assertThat(r.trials()).extracting(TrialSummary::generation).containsOnly(0);
            assertThat(r.trials()).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
        });
        assertThat(a.trained()).isEqualTo(10);
        assertThat(a.spaceSize()).isEqualTo(BigInteger.valueOf(288));
        assertThat(a.candidates()).isEqualTo(firstOfGrid(s, 10));
        // The order is fixed: the search seed does not change it.
        assertThat(run(s.withSeed(99), 1, launcher, r -> { }).candidates()).isEqualTo(a.candidates());
    }

    @Test
    void aBudgetLargerThanTheSpaceTrainsEveryCandidateOnce() throws Exception {
        SearchSpace s = space(GRID.replace("trials: 6", "trials: 1000").replace("depth: [1, 2]", "depth: 1"));
        SearchOutcome o = run(s, 2, r -> CompletableFuture.completedFuture(RegularizedEvolutionTest.score(r)), r ->
                assertThat(r.trials()).extracting(TrialSummary::fingerprint).doesNotHaveDuplicates().hasSize(32));
        // 2 widths x (2 heads x 2 expansions x 2 norms) x 2 final norms
        assertThat(o.spaceSize()).isEqualTo(BigInteger.valueOf(32));
        assertThat(o.trained()).isEqualTo(32);
        assertThat(new HashSet<>(o.candidates())).hasSize(32);
        // The best of a toy landscape where wider, more heads and norm.b are better.
        assertThat(o.bestValLoss()).isEqualTo(10.0 / 32 + 1 - (0.02 + 0.02), org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void keepsNTrialsInFlight() throws Exception {
        SearchSpace s = space(GRID.replace("trials: 6", "trials: 24"));
        List<TrialRequest> requests = new CopyOnWriteArrayList<>();
        List<CompletableFuture<TrialResult>> futures = new CopyOnWriteArrayList<>();
        TrialLauncher launcher = r -> {
            CompletableFuture<TrialResult> f = new CompletableFuture<>();
            requests.add(r);
            futures.add(f);
            return f;
        };
        // Finishes trial k only once the search has k + 3 trials launched (fewer at the end), never more.
        List<String> problems = new CopyOnWriteArrayList<>();
        Thread completer = new Thread(() -> {
            for (int k = 0; k < 24; k++) {
                int expected = Math.min(k + 3, 24);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (futures.size() < expected && System.nanoTime() < deadline) sleep();
                if (futures.size() != expected) problems.add("after " + k + " finished: " + futures.size() + " launched, expected " + expected);
                futures.get(Math.min(k, futures.size() - 1)).complete(RegularizedEvolutionTest.score(requests.get(Math.min(k, futures.size() - 1))));
            }
        });
        completer.start();
        SearchOutcome o = run(s, 3, launcher, r -> assertThat(r.trials()).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok")));
        completer.join(30_000);
        assertThat(problems).isEmpty();
        assertThat(o.trained()).isEqualTo(24);
        assertThat(o.candidates()).isEqualTo(firstOfGrid(s, 24));
    }

    private static void sleep() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aListedLearningRateIsADecisionAndEachTrialRecordsItsOwn() throws Exception {
        SearchSpace s = space(GRID.replace("lr: 1e-3}", LRS));
        List<TrialRequest> requests = new CopyOnWriteArrayList<>();
        run(s, 1, r -> {
            requests.add(r);
            return CompletableFuture.completedFuture(score(r));
        }, r -> {
            List<TrialSummary> t = r.trials();
            assertThat(t).hasSize(6);
            // Grid order turns the learning rate fastest: one architecture under the three rates, then the next.
            assertThat(t.subList(0, 3)).extracting(TrialSummary::fingerprint).containsOnly(t.getFirst().fingerprint());
            assertThat(t.get(3).fingerprint()).isNotEqualTo(t.getFirst().fingerprint());
            assertThat(t.subList(0, 3)).extracting(TrialSummary::summary)
                    .allSatisfy(x -> assertThat(x).startsWith(t.getFirst().summary().replaceAll(" lr=.*", "")))
                    .extracting(x -> x.replaceAll(".* lr=", "")).containsExactly("0.001", "0.003", "0.01");
            QueryResult q = r.store().readOnlyQuery("""
                    SELECT CAST(CAST((recipe)."lr" AS VARCHAR) AS DOUBLE) AS lr, CAST(CAST((recipe)."steps" AS VARCHAR) AS INT) AS steps,
                           recipe_key, seed FROM trial ORDER BY ordinal""");
            assertThat(q.rows()).extracting(row -> ((Number) row.get(0)).doubleValue()).containsExactly(1e-3, 3e-3, 1e-2, 1e-3, 3e-3, 1e-2);
            assertThat(q.rows()).extracting(row -> ((Number) row.get(1)).intValue()).containsOnly(50);
            assertThat(q.rows().get(1).get(2)).isEqualTo("steps=50,batch=8,lr=0.003,wd=0.01,warmup=5,min_lr_ratio=0.1,eval_every=12,clip=1.0,seed=0");
            assertThat(q.rows().subList(0, 3)).extracting(row -> row.get(2)).doesNotHaveDuplicates();
            // One architecture, one initialisation: the seed does not depend on the learning rate.
            assertThat(q.rows().subList(0, 3)).extracting(row -> row.get(3)).containsOnly(q.rows().getFirst().get(3));
            QueryResult search = r.store().readOnlyQuery("SELECT recipe_key FROM search");
            assertThat(search.rows().getFirst().getFirst()).isEqualTo(
                    "steps=50,batch=8,lr={0.001,0.003,0.01},wd=0.01,warmup=5,min_lr_ratio=0.1,eval_every=12,clip=1.0,seed=0");
        });
        assertThat(requests).extracting(x -> x.recipe().learningRate()).containsExactly(1e-3, 3e-3, 1e-2, 1e-3, 3e-3, 1e-2);
    }

    @Test
    void evolutionSearchesTheLearningRateToo() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID.replace("lr: 1e-3}", LRS).replace("trials: 6", "trials: 40"));
        TrialLauncher launcher = r -> CompletableFuture.completedFuture(score(r));
        SearchOutcome a = run(s, 1, launcher, r -> { });
        SearchOutcome b = run(s, 1, launcher, r -> { });
        assertThat(a.candidates()).isEqualTo(b.candidates()).hasSize(40);
        assertThat(a.candidates()).extracting(Candidate::key).doesNotHaveDuplicates();
        assertThat(a.candidates()).extracting(c -> c.recipe().learningRate()).contains(1e-3, 3e-3, 1e-2);
        // The best candidates use the learning rate the landscape favours.
        Candidate best = a.candidates().stream().min(java.util.Comparator.comparingDouble(c -> score(
                new TrialRequest(0, c.architecture(), null, c.recipe(), 0)).metric("val_loss"))).orElseThrow();
        assertThat(best.recipe().learningRate()).isEqualTo(3e-3);
    }

    @Test
    void aSecondSearchOnTheSameDatabaseTrainsNothingUnlessTheCacheIsOff() throws Exception {
        SearchSpace s = space(GRID.replace("lr: 1e-3}", LRS));
        List<TrialRequest> requests = new ArrayList<>();
        TrialLauncher launcher = r -> {
            requests.add(r);
            return CompletableFuture.completedFuture(score(r));
        };
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("shared")))) {
            SearchOutcome first = new SearchRunner(store, launcher, 1, "cpu").run(s, SearchListener.NONE);
            int trained = requests.size();
            assertThat(trained).isEqualTo(first.trained()).isPositive();
            assertThat(first.cacheHits()).isZero();

            SearchOutcome second = new SearchRunner(store, launcher, 1, "cpu").run(s, SearchListener.NONE);
            assertThat(requests).hasSize(trained);
            assertThat(second.cacheHits()).isEqualTo(second.trained()).isEqualTo(first.trained());
            assertThat(second.candidates()).isEqualTo(first.candidates());
            assertThat(second.bestValLoss()).isEqualTo(first.bestValLoss());
            assertThat(store.trials(second.searchId())).allSatisfy(t -> assertThat(t.status()).isEqualTo("cached"));

            SearchOutcome third = new SearchRunner(store, launcher, 1, "cpu").useCache(false).run(s, SearchListener.NONE);
            assertThat(requests).hasSize(2 * trained);
            assertThat(third.cacheHits()).isZero();
        }
    }
}
