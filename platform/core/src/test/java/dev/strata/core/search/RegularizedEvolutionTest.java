package dev.strata.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SearchSpaceLoaderTest;
import dev.strata.core.space.SpaceFixtures;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search loop on a real H2 file with a launcher that scores architectures by a fixed formula
 * instead of training them: tests the strategy and the bookkeeping, not the models.
 */
class RegularizedEvolutionTest {

    @TempDir
    Path dir;

    /** Loss falls with width, depth and heads; norm.b is a little better. Deterministic. */
    static TrialResult score(TrialRequest r) {
        Architecture a = r.architecture();
        double loss = 10.0 / a.dModel() + 1.0 / a.depth();
        for (var l : a.layers()) {
            loss -= 0.01 * l.tokenMixer().params().getInt("heads");
            if (l.norm().id().equals("norm.b")) loss -= 0.02;
        }
        return new TrialResult(r.trialId(), true, null, Map.of("val_loss", loss, "val_accuracy", 0.5, "params", 100.0 * a.dModel()),
                List.of(), Map.of());
    }

    private SearchSpace space(String yaml) throws Exception {
        return new SearchSpaceLoader(SpaceFixtures.registry()).load(SpaceFixtures.write(dir, "s.yaml", yaml));
    }

    private record Run(SearchOutcome outcome, List<TrialSummary> trials) {}

    private Run run(SearchSpace space, String db, int parallelism, TrialLauncher launcher) {
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve(db)))) {
            SearchOutcome o = new SearchRunner(store, launcher, parallelism, "cpu").run(space, SearchListener.NONE);
            return new Run(o, store.trials(o.searchId()));
        }
    }

    @Test
    void sameSeedSameCandidatesAndNoArchitectureTrainedTwice() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID.replace("trials: 6", "trials: 30"));
        TrialLauncher launcher = r -> CompletableFuture.completedFuture(score(r));
        Run a = run(s, "a", 1, launcher);
        Run b = run(s, "b", 1, launcher);
        assertThat(a.outcome().trained()).isEqualTo(30);
        assertThat(a.outcome().proposed()).isEqualTo(b.outcome().proposed());
        assertThat(new HashSet<>(a.outcome().proposed())).hasSize(30);
        assertThat(a.trials()).extracting(TrialSummary::fingerprint).doesNotHaveDuplicates();
        Run c = run(s.withSeed(99), "c", 1, launcher);
        assertThat(c.outcome().proposed()).isNotEqualTo(a.outcome().proposed());
    }

    @Test
    void childrenRecordTheirParentAndBeatRandomStart() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID.replace("trials: 6", "trials: 60"));
        Run r = run(s, "p", 2, req -> CompletableFuture.completedFuture(score(req)));
        List<TrialSummary> trials = r.trials();
        int population = s.strategy().population();
        assertThat(trials.subList(0, population)).allSatisfy(t -> assertThat(t.generation()).isEqualTo(0));
        assertThat(trials.subList(population + 2, trials.size())).allSatisfy(t -> assertThat(t.generation()).isPositive());
        // Evolution found the optimum of this smooth toy landscape: d32, 2 layers, 4 heads... bounded below by
        double optimum = 10.0 / 32 + 0.5 - 2 * (0.02 + 0.02);
        assertThat(r.outcome().bestValLoss()).isLessThan(optimum + 0.05);
    }

    @Test
    void aFailingCandidateFailsItsTrialNotTheSearch() throws Exception {
        SearchSpace s = space(SearchSpaceLoaderTest.VALID);
        TrialLauncher launcher = req -> req.architecture().dModel() == 16
                ? CompletableFuture.completedFuture(TrialResult.failed(req.trialId(), "boom"))
                : CompletableFuture.failedFuture(new IllegalStateException("worker gone"));
        Run r = run(s, "f", 1, launcher);
        assertThat(r.outcome().trained()).isEqualTo(6);
        assertThat(r.outcome().failed()).isEqualTo(6);
        assertThat(r.outcome().bestTrialId()).isEqualTo(-1);
        assertThat(r.trials()).allSatisfy(t -> assertThat(t.status()).isEqualTo("failed"));
        assertThat(r.trials()).extracting(TrialSummary::error).anySatisfy(e -> assertThat(e).contains("worker gone"));
    }


}
