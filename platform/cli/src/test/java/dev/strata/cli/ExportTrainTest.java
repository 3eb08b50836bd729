package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.SearchSummary;
import dev.strata.core.results.TrialRecord;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.results.WeightStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search, export, train again, with real parts: the built-in plugin jars, worker JVMs training with
 * DJL, an H2 file. Training on the CPU with the recorded seed, recipe and thread count is
 * deterministic, so the retrained validation loss matches the exported trial's (checked to 1e-3
 * relative, the acceptance tolerance).
 */
class ExportTrainTest {

    @TempDir
    Path dir;

    static final String SPACE = """
            name: export-e2e
            seed: 3
            task: {id: task.mqar, params: {pairs: 4, vocab: 32, validation_size: 64}, seed: 2}
            model:
              d_model: [16]
              depth: [1]
              token_mixer: {attention.mha: {heads: [1, 2]}}
              channel_mixer: {mixer.mlp: {expansion: 2}}
              norm: [norm.rms]
              residual: [residual.pre_norm]
            recipe: {steps: 24, batch: 16, lr: 3e-3, warmup: 4, eval_every: 12}
            strategy: {name: grid}
            budget: {trials: 2}
            """;

    @Test
    void exportThenTrainReproducesTheTrial() throws Exception {
        Path plugins = TestPlugins.builtIn();
        Path db = dir.resolve("results/strata");
        Path space = Files.writeString(dir.resolve("space.yaml"), SPACE);
        Cli search = Cli.run("search", space.toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--quiet");
        assertThat(search.exitCode()).as(search.toString()).isZero();

        long searchId;
        List<TrialSummary> trials;
        try (ResultsStore store = ResultsStore.openExisting(ResultsStore.fileUrl(db))) {
            searchId = store.searches().getFirst().id();
            trials = store.trials(searchId);
            WeightStore weights = WeightStore.of(store);
            for (TrialSummary t : trials) {
                assertThat(weights.path(searchId, t.id())).as("weights of trial " + t.id()).isRegularFile()
                        .isEqualTo(dir.resolve("results/weights/" + searchId + "/" + t.id() + ".params"));
            }
        }
        TrialSummary best = trials.stream().min(java.util.Comparator.comparingDouble(TrialSummary::valLoss)).orElseThrow();
        TrialSummary other = trials.stream().filter(t -> t.id() != best.id()).findFirst().orElseThrow();

        // Export: four files; the weights are the trial's own.
        Path out = dir.resolve("export");
        Cli export = Cli.run("export", Long.toString(best.id()), "--out", out.toString(), "--db", db.toString());
        assertThat(export.exitCode()).as(export.toString()).isZero();
        assertThat(export.out()).startsWith("exported trial " + best.id() + " to " + out);
        for (String f : List.of("architecture.yaml", "weights.params", "recipe.json", "provenance.json")) assertThat(out.resolve(f)).isRegularFile();
        assertThat(Files.readAllBytes(out.resolve("weights.params")))
                .isEqualTo(Files.readAllBytes(dir.resolve("results/weights/" + searchId + "/" + best.id() + ".params")));
        JsonNode provenance = new ObjectMapper().readTree(out.resolve("provenance.json").toFile());
        assertThat(provenance.get("trial_id").asLong()).isEqualTo(best.id());
        assertThat(provenance.get("fingerprint").asText()).isEqualTo(best.fingerprint());
        assertThat(provenance.get("plugins").get("strata-attention").asText()).isNotBlank();
        assertThat(provenance.get("task").get("id").asText()).isEqualTo("task.mqar");
        assertThat(provenance.get("recipe").get("steps").asInt()).isEqualTo(24);
        assertThat(provenance.get("weights").get("sha256").asText()).isEqualTo(sha256(out.resolve("weights.params")));
        assertThat(Files.readString(out.resolve("architecture.yaml"))).startsWith("# Strata architecture: trial " + best.id())
                .contains("fingerprint: " + best.fingerprint());

        // Train the exported file again: same validation loss, recorded as a one-trial search, weights kept.
        Cli train = Cli.run("train", out.resolve("architecture.yaml").toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--json");
        assertThat(train.exitCode()).as(train.toString()).isZero();
        JsonNode trained = new ObjectMapper().readTree(train.out());
        assertThat(trained.get("ok").asBoolean()).isTrue();
        assertThat(trained.get("exported_trial_id").asLong()).isEqualTo(best.id());
        double retrained = trained.get("val_loss").asDouble();
        assertThat(Math.abs(retrained - best.valLoss()) / best.valLoss()).as("retrained %s vs exported %s", retrained, best.valLoss())
                .isLessThan(1e-3);
        try (ResultsStore store = ResultsStore.openExisting(ResultsStore.fileUrl(db))) {
            SearchSummary s = store.search(trained.get("search_id").asLong()).orElseThrow();
            assertThat(s.strategy()).isEqualTo("train");
            assertThat(s.trials()).isEqualTo(1);
            TrialRecord t = new ResultsReader(store).requireTrial(trained.get("trial_id").asLong());
            assertThat(t.status()).isEqualTo("ok");
            assertThat(t.fingerprint()).isEqualTo(best.fingerprint());
            assertThat(Path.of(trained.get("weights").asText())).isRegularFile();
        }

        // A cached trial (as a later search records one, without a worker) exports the weights of the trial it copies.
        long cachedId;
        try (ResultsStore store = ResultsStore.openExisting(ResultsStore.fileUrl(db))) {
            TrialRecord source = new ResultsReader(store).requireTrial(best.id());
            long later = store.createSearch(new NewSearch("later", null, null, 1, "grid", source.taskKey(), source.recipeKey(), 1, "cpu"));
            cachedId = store.recordCachedTrial(new NewTrial(later, 1, 0, null, source.architecture(), source.taskKey(), source.recipeKey(),
                    source.seed(), "cpu", source.recipeJson(), null), best.id());
        }
        Cli cached = Cli.run("export", Long.toString(cachedId), "--out", dir.resolve("cached").toString(), "--db", db.toString(), "--json");
        assertThat(cached.exitCode()).as(cached.toString()).isZero();
        assertThat(new ObjectMapper().readTree(cached.out()).get("weights_source").asText())
                .isEqualTo(dir.resolve("results/weights/" + searchId + "/" + best.id() + ".params").toString());
        assertThat(Files.readAllBytes(dir.resolve("cached/weights.params"))).isEqualTo(Files.readAllBytes(out.resolve("weights.params")));

        // Weights that were not kept: one line and exit 2, nothing written; --retrain recreates them from the seed.
        Files.delete(dir.resolve("results/weights/" + searchId + "/" + other.id() + ".params"));
        Path missing = dir.resolve("missing");
        Cli refused = Cli.run("export", Long.toString(other.id()), "--out", missing.toString(), "--db", db.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).startsWith("strata: no weights for trial " + other.id() + " (only the best 10 trials of a search keep theirs")
                .contains("add --retrain").hasLineCount(1);
        assertThat(missing).doesNotExist();
        Cli retrain = Cli.run("export", Long.toString(other.id()), "--out", missing.toString(), "--retrain", "--db", db.toString(),
                "--plugins", plugins.toString());
        assertThat(retrain.exitCode()).as(retrain.toString()).isZero();
        assertThat(retrain.out()).contains("weights of trial " + other.id() + " were not kept: retraining it (24 steps")
                .containsPattern("retrained: val_loss \\d\\.\\d{6} \\(recorded \\d\\.\\d{6}, difference [-+]\\d\\.\\d{2}e[-+]\\d+\\)");
        assertThat(missing.resolve("weights.params")).isRegularFile();
        assertThat(new ObjectMapper().readTree(missing.resolve("provenance.json").toFile()).get("weights").get("source").asText()).isEqualTo("retrained");
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path db = dir.resolve("none/strata");
        Cli noDb = Cli.run("export", "1", "--out", dir.resolve("x").toString(), "--db", db.toString());
        assertThat(noDb.exitCode()).isEqualTo(2);
        assertThat(noDb.err()).isEqualTo("strata: no results database at " + db + ".mv.db: run a search first" + System.lineSeparator());

        Path arch = Files.writeString(dir.resolve("arch.yaml"), """
                architecture:
                  d_model: 16
                  layers:
                    - {token_mixer: attention.nope, channel_mixer: mixer.mlp, norm: norm.rms, residual: residual.pre_norm}
                  final_norm: norm.rms
                task: {id: task.mqar}
                recipe: {steps: 10}
                """);
        Cli unknown = Cli.run("train", arch.toString(), "--db", db.toString(), "--plugins", TestPlugins.builtIn().toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("strata: " + arch + ":4: architecture.layers[0].token_mixer: unknown component 'attention.nope'")
                .hasLineCount(1);
        assertThat(dir.resolve("none")).doesNotExist();
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
