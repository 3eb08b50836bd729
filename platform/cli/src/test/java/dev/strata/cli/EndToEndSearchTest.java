package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.results.QueryResult;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with real parts: plugin jars loaded by PF4J from a folder (the built-in ones and
 * one compiled here as a third party would), worker JVMs training with DJL, an H2 file, the CLI.
 */
class EndToEndSearchTest {

    @TempDir
    static Path dir;
    static Path plugins;

    /** A small space mixing built-in attention with the third-party token mixer. */
    static final String SPACE = """
            name: e2e
            seed: 5
            task: {id: task.mqar, params: {pairs: 4, vocab: 32, validation_size: 128}}
            model:
              d_model: [16, 32]
              depth: [1, 2]
              token_mixer: [attention.mha, external.cumulative_mean]
              channel_mixer: {mixer.mlp: {expansion: 2}}
              norm: [norm.layer, norm.rms]
              residual: [residual.pre_norm, residual.post_norm]
            recipe: {steps: 30, batch: 16, lr: 3e-3, eval_every: 15}
            strategy: {population: 3, tournament: 2}
            budget: {trials: 6}
            """;

    @BeforeAll
    static void pluginsWithAThirdPartyJar() throws Exception {
        plugins = TestPlugins.copyBuiltIn(dir.resolve("plugins"));
        ExternalPlugin.build(Files.createDirectories(dir.resolve("external")), plugins);
    }

    static Path space(String name, String yaml) throws Exception {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void pluginsListShowsBuiltInAndThirdPartyComponentsFromJars() throws Exception {
        Cli r = Cli.run("plugins", "list", "--plugins", plugins.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        for (String id : List.of("attention.mha", "mixer.mlp", "norm.layer", "norm.rms", "residual.pre_norm", "residual.post_norm",
                "task.mqar", "task.addition", "task.bytes_lm", ExternalPlugin.COMPONENT_ID)) {
            assertThat(r.out()).contains(id);
        }
        long jars;
        try (var files = Files.list(plugins)) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).count();
        }
        assertThat(r.out()).contains(ExternalPlugin.PLUGIN_ID + "@1.2.3").contains(jars + " plugins");
    }

    @Test
    void searchWithTwoWorkersTrainsDistinctCandidatesIncludingTheThirdPartyOne() throws Exception {
        Path db = dir.resolve("db-two-workers/strata");
        Cli r = Cli.run("search", space("two", SPACE).toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--workers", "2", "--quiet");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("6 trials (0 failed)").contains("best trial").contains("vs baseline");

        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            long searchId = store.searches().getFirst().id();
            List<TrialSummary> trials = store.trials(searchId);
            assertThat(trials).hasSize(6).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
            assertThat(trials).extracting(TrialSummary::fingerprint).doesNotHaveDuplicates();
            assertThat(trials).allSatisfy(t -> assertThat(t.valLoss()).isFinite().isPositive());
            // Provenance: the third-party component's plugin and version are recorded with its trials.
            QueryResult used = store.readOnlyQuery("SELECT COUNT(*) FROM trial_component WHERE component_id = '" + ExternalPlugin.COMPONENT_ID + "'");
            QueryResult versions = store.readOnlyQuery("SELECT COUNT(*) FROM trial WHERE CAST(component_versions AS VARCHAR) LIKE '%external-demo@1.2.3%'");
            assertThat(((Number) used.rows().getFirst().getFirst()).longValue()).isPositive();
            assertThat(((Number) versions.rows().getFirst().getFirst()).longValue()).isPositive();
        }

        Cli top = Cli.run("results", "top", "--db", db.toString(), "-n", "3");
        assertThat(top.exitCode()).as(top.toString()).isZero();
        assertThat(top.out().lines().filter(l -> l.contains("d16") || l.contains("d32")).count()).isEqualTo(3);
        Cli sql = Cli.run("results", "sql", "--db", db.toString(), "SELECT COUNT(*) AS n FROM trial");
        assertThat(sql.exitCode()).as(sql.toString()).isZero();
        assertThat(sql.out()).contains("6");
        Cli write = Cli.run("results", "sql", "--db", db.toString(), "DELETE FROM trial");
        assertThat(write.exitCode()).isEqualTo(2);
        assertThat(write.err()).contains("read-only");

        // The database is a cache: the same search again trains nothing and ends with the same result.
        Cli again = Cli.run("search", space("two", SPACE).toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--workers", "2", "--quiet");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("6 trials (0 failed)")
                .contains("cache: 6 of 6 trials answered from earlier searches (same architecture, task and recipe), 0 trained");
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            List<Long> ids = store.searches().stream().map(x -> x.id()).sorted().toList();
            List<TrialSummary> first = store.trials(ids.get(0));
            List<TrialSummary> second = store.trials(ids.get(1));
            assertThat(second).hasSize(6).allSatisfy(t -> assertThat(t.status()).isEqualTo("cached"));
            assertThat(second).extracting(TrialSummary::fingerprint).isEqualTo(first.stream().map(TrialSummary::fingerprint).toList());
            assertThat(store.top(ids.get(1), 1).getFirst().valLoss()).isEqualTo(store.top(ids.get(0), 1).getFirst().valLoss());
        }
    }

    @Test
    void gridOverLearningRatesOnTwoWorkersRecordsEachTrialsRate() throws Exception {
        String grid = SPACE.replace("steps: 30", "steps: 4").replace("eval_every: 15", "eval_every: 4")
                .replace("lr: 3e-3", "lr: [1e-3, 1e-2]")
                .replace("strategy: {population: 3, tournament: 2}", "strategy: {name: grid}")
                .replace("trials: 6", "trials: 4");
        Path db = dir.resolve("db-grid/strata");
        Cli r = Cli.run("search", space("grid", grid).toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--workers", "2", "--quiet");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        // 2 widths x (8 + 8^2 layer stacks) x 2 final norms x 2 learning rates
        assertThat(r.out()).contains("space: 576 distinct candidates").contains("4 trials (0 failed)")
                .contains("grid: 4 of the space's 576 candidates");
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            long searchId = store.searches().getFirst().id();
            List<TrialSummary> trials = store.trials(searchId);
            assertThat(trials).hasSize(4).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
            // The learning rate turns fastest: two architectures, each under both rates.
            assertThat(trials.get(1).fingerprint()).isEqualTo(trials.get(0).fingerprint());
            assertThat(trials.get(3).fingerprint()).isEqualTo(trials.get(2).fingerprint()).isNotEqualTo(trials.get(0).fingerprint());
            QueryResult lrs = store.readOnlyQuery("SELECT CAST(CAST((recipe).\"lr\" AS VARCHAR) AS DOUBLE) FROM trial WHERE search_id = "
                    + searchId + " ORDER BY ordinal");
            assertThat(lrs.rows()).extracting(row -> ((Number) row.getFirst()).doubleValue()).containsExactly(1e-3, 1e-2, 1e-3, 1e-2);
        }
    }

    @Test
    void sameSeedSameSequenceOfCandidates() throws Exception {
        String quick = SPACE.replace("steps: 30", "steps: 4").replace("eval_every: 15", "eval_every: 4");
        Path f = space("seeded", quick);
        List<List<String>> runs = new ArrayList<>();
        for (String name : List.of("seed-a", "seed-b")) {
            Path db = dir.resolve(name + "/strata");
            Cli r = Cli.run("search", f.toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--seed", "11", "--quiet");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
                runs.add(store.trials(store.searches().getFirst().id()).stream().map(TrialSummary::fingerprint).toList());
            }
        }
        assertThat(runs.get(0)).hasSize(6).isEqualTo(runs.get(1));
    }

    @Test
    void resultsCanBeReadWhileAnotherProcessSearches() throws Exception {
        Path db = dir.resolve("db-live/strata");
        Path f = space("live", SPACE.replace("trials: 6", "trials: 8").replace("steps: 30", "steps: 60"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process search = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                StrataCli.class.getName(), "search", f.toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--quiet")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("live-search.log").toFile())
                .start();
        try {
            boolean sawPartial = false;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (search.isAlive() && System.nanoTime() < deadline) {
                Cli top = Cli.run("results", "sql", "--db", db.toString(), "SELECT COUNT(*) AS n FROM trial WHERE status = 'ok'");
                if (top.exitCode() == 0) {
                    long n = top.out().lines().map(String::strip).filter(l -> l.matches("\\d+")).mapToLong(Long::parseLong).findFirst().orElse(0);
                    if (n > 0 && n < 8) {
                        sawPartial = true;
                        Cli listing = Cli.run("results", "top", "--db", db.toString());
                        assertThat(listing.exitCode()).as(listing.toString()).isZero();
                        break;
                    }
                }
                Thread.sleep(300);
            }
            assertThat(sawPartial).as("read finished trials while the search was still running").isTrue();
            assertThat(search.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(search.exitValue()).as(Files.readString(dir.resolve("live-search.log"))).isZero();
        } finally {
            search.destroyForcibly();
        }
    }
}
