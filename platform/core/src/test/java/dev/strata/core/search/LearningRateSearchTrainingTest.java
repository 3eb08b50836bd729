package dev.strata.core.search;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.strata.core.model.TestComponents;
import dev.strata.core.plugins.ComponentRegistry;
import dev.strata.core.results.QueryResult;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SpaceFixtures;
import dev.strata.core.training.TrialTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A grid over learning rates, trained for real (DJL, in this JVM, a few steps of a tiny model). */
class LearningRateSearchTrainingTest {

    @TempDir
    Path dir;

    private static final ComponentRegistry REGISTRY = TestComponents.registry();

    @Test
    void eachTrialTrainsWithAndRecordsItsOwnLearningRate() throws Exception {
        SearchSpace space = new SearchSpaceLoader(REGISTRY).load(SpaceFixtures.write(dir, "lr.yaml", """
                name: lr-grid
                task: {id: task.test_copy_prev, params: {vocab: 16, length: 12, validation: 64}, seed: 7}
                model:
                  d_model: 16
                  depth: 1
                  token_mixer: mixer.test_shift
                  channel_mixer: mixer.test_mlp
                  norm: norm.test_identity
                  residual: residual.test_pre_norm
                recipe: {steps: 30, batch: 16, lr: [1e-4, 3e-2], eval_every: 30}
                strategy: {name: grid}
                budget: {trials: 10}
                """));
        TrialTrainer trainer = new TrialTrainer();
        TrialLauncher inProcess = r -> CompletableFuture.completedFuture(trainer.train(r, REGISTRY, Device.cpu()));
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(dir.resolve("db")))) {
            SearchOutcome o = new SearchRunner(store, inProcess, 1, "cpu").run(space, SearchListener.NONE);
            assertThat(o.trained()).isEqualTo(2);
            List<TrialSummary> trials = store.trials(o.searchId());
            assertThat(trials).allSatisfy(t -> assertThat(t.status()).as(String.valueOf(t.error())).isEqualTo("ok"));
            assertThat(trials).extracting(TrialSummary::fingerprint).containsOnly(trials.getFirst().fingerprint());
            QueryResult q = store.readOnlyQuery("""
                    SELECT CAST(CAST((recipe)."lr" AS VARCHAR) AS DOUBLE), val_loss FROM trial ORDER BY ordinal""");
            assertThat(q.rows()).extracting(r -> ((Number) r.get(0)).doubleValue()).containsExactly(1e-4, 3e-2);
            // Same architecture, same seed, same batches: only the learning rate differs, and it shows.
            double slow = ((Number) q.rows().get(0).get(1)).doubleValue();
            double fast = ((Number) q.rows().get(1).get(1)).doubleValue();
            assertThat(fast).isLessThan(slow);
        }
    }
}
