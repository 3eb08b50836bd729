package dev.strata.core.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TaskSpec;
import dev.strata.core.training.Recipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightStoreTest {

    @TempDir
    Path dir;

    @Test
    void weightsLiveBesideTheDatabaseAndOnlyTheBestAreKept() throws Exception {
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("results/strata")))) {
            WeightStore weights = WeightStore.of(store);
            assertThat(weights.enabled()).isTrue();
            long search = store.createSearch(Fixtures.search("s"));
            List<Long> ids = new ArrayList<>();
            double[] losses = {2.0, 1.0, 3.0, 0.5, Double.NaN};
            for (int i = 0; i < losses.length; i++) {
                long id = store.startTrial(Fixtures.trial(search, i + 1, Fixtures.arch("attention.mha", i + 1)));
                ids.add(id);
                store.finishTrial(id, Double.isNaN(losses[i]) ? dev.strata.core.training.TrialResult.failed(id, "boom") : Fixtures.ok(id, losses[i]));
                Path p = weights.path(search, id);
                assertThat(p).isEqualTo(dir.resolve("results/weights/" + search + "/" + id + ".params").toAbsolutePath());
                Files.createDirectories(p.getParent());
                Files.writeString(p, "w" + id);
            }
            Path stray = weights.path(search, ids.getFirst()).resolveSibling("99.params.tmp");
            Files.writeString(stray, "half");

            TrialRequest r = new TrialRequest(ids.get(1), Fixtures.arch("attention.mha", 1), new TaskSpec("task.copy", null, 1, null),
                    new Recipe(10, 2, 1e-3, 0, 1, 0.1, 5, 1, 60), 1);
            assertThat(weights.attach(search, r).weightsFile()).isEqualTo(weights.path(search, ids.get(1)).toString());

            assertThat(weights.prune(search, 2)).isEqualTo(4); // three worse trials and the stray temporary file
            assertThat(weights.path(search, ids.get(3))).exists();   // 0.5
            assertThat(weights.path(search, ids.get(1))).exists();   // 1.0
            assertThat(weights.path(search, ids.get(0))).doesNotExist();
            assertThat(weights.path(search, ids.get(4))).doesNotExist();
            assertThat(stray).doesNotExist();

            // A cached trial finds the weights of the trial it copies.
            Architecture a = Fixtures.arch("attention.mha", 4);
            long search2 = store.createSearch(Fixtures.search("again"));
            long cached = store.recordCachedTrial(Fixtures.trial(search2, 1, a), ids.get(3));
            ResultsReader reader = new ResultsReader(store);
            assertThat(weights.find(reader, reader.requireTrial(cached))).contains(weights.path(search, ids.get(3)));
            assertThat(weights.find(reader, reader.requireTrial(ids.get(0)))).isEmpty();
        }
    }

    @Test
    void aDatabaseThatIsNoFileKeepsNoWeights() {
        try (ResultsStore store = ResultsStore.open("jdbc:h2:mem:weights-" + System.nanoTime())) {
            WeightStore weights = WeightStore.of(store);
            assertThat(weights.enabled()).isFalse();
            TrialRequest r = new TrialRequest(1, Fixtures.arch("attention.mha", 1), new TaskSpec("task.copy", null, 1, null),
                    new Recipe(10, 2, 1e-3, 0, 1, 0.1, 5, 1, 60), 1);
            assertThat(weights.attach(1, r)).isSameAs(r);
            assertThat(weights.prune(1, 10)).isZero();
        }
    }
}
