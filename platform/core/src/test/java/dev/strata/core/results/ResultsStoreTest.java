package dev.strata.core.results;

import static dev.strata.core.results.Fixtures.RECIPE;
import static dev.strata.core.results.Fixtures.TASK;
import static dev.strata.core.results.Fixtures.arch;
import static dev.strata.core.results.Fixtures.ok;
import static dev.strata.core.results.Fixtures.search;
import static dev.strata.core.results.Fixtures.trial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsStoreTest {

    @TempDir
    Path dir;

    private String url() {
        return ResultsStore.fileUrl(dir.resolve("results").resolve("strata"));
    }

    @Test
    void fileUrlIsAbsoluteWithAutoServer() {
        assertThat(ResultsStore.fileUrl(Path.of("results/strata")))
                .isEqualTo("jdbc:h2:file:" + Path.of("results/strata").toAbsolutePath() + ";AUTO_SERVER=TRUE");
        assertThat(ResultsStore.fileUrl(dir.resolve("x.mv.db"))).isEqualTo("jdbc:h2:file:" + dir.resolve("x") + ";AUTO_SERVER=TRUE");
        assertThat(ResultsStore.urlFor("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
        assertThat(ResultsStore.urlFor(dir.resolve("y").toString())).isEqualTo(ResultsStore.fileUrl(dir.resolve("y")));
    }

    @Test
    void migratingTwiceIsIdempotentAndCreatesTheFolder() {
        long searchId;
        try (ResultsStore store = ResultsStore.open(url())) {
            searchId = store.createSearch(search("first"));
        }
        assertThat(dir.resolve("results/strata.mv.db")).exists();
        try (ResultsStore store = ResultsStore.open(url())) {
            assertThat(store.searches()).extracting(SearchSummary::id).containsExactly(searchId);
            QueryResult history = store.readOnlyQuery("SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL");
            assertThat(history.rows()).containsExactly(List.of("1", true), List.of("2", true), List.of("3", true));
        }
    }

    @Test
    void schemaVersionMatchesTheNewestMigration() throws Exception {
        Path migrations = Path.of(ResultsStore.class.getClassLoader().getResource("db/migration").toURI());
        int newest;
        try (var files = Files.list(migrations)) {
            newest = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        }
        assertThat(ResultsStore.SCHEMA_VERSION).isEqualTo(newest);
    }

    @Test
    void aVersion1DatabaseIsUpgraded() {
        org.flywaydb.core.Flyway.configure(ResultsStore.class.getClassLoader()).dataSource(url(), "sa", "")
                .locations("classpath:db/migration").target("1").load().migrate();
        try (ResultsStore store = ResultsStore.open(url())) {
            long s = store.createSearch(search("upgraded"));
            long t = store.startTrial(trial(s, 1, arch("attention.mha", 2)));
            assertThat(store.readOnlyQuery("SELECT recipe FROM trial WHERE id = " + t).rows()).containsExactly(java.util.Arrays.asList((Object) null));
            assertThat(store.readOnlyQuery("SELECT MAX(\"version\") FROM \"flyway_schema_history\"").rows().getFirst().getFirst()).isEqualTo(String.valueOf(ResultsStore.SCHEMA_VERSION));
        }
    }

    @Test
    void aTrialRecordsItsRecipeAsJsonAndItsSummary() {
        Architecture a = arch("attention.mha", 4);
        try (ResultsStore store = ResultsStore.open(url())) {
            long s = store.createSearch(search("recipes"));
            String json = new dev.strata.core.training.Recipe(50, 8, 0.01, 0.0, 5, 0.1, 25, 1.0, 60).json(3);
            long t = store.startTrial(new NewTrial(s, 1, 0, null, a, TASK, RECIPE, 7, "cpu", json, a.summary() + " lr=0.01"));
            long old = store.startTrial(trial(s, 2, a));
            assertThat(store.trial(t).orElseThrow().summary()).isEqualTo(a.summary() + " lr=0.01");
            QueryResult q = store.readOnlyQuery("""
                    SELECT id, CAST(CAST((recipe)."lr" AS VARCHAR) AS DOUBLE) AS lr, CAST(CAST((recipe)."seed" AS VARCHAR) AS INT) AS seed,
                           CAST(CAST((recipe)."weight_decay" AS VARCHAR) AS DOUBLE) AS wd, CAST(recipe AS VARCHAR) AS j
                    FROM trial ORDER BY id""");
            assertThat(q.rows().get(0)).containsExactly(t, 0.01, 3, 0.0, json);
            assertThat(json).isEqualTo("{\"steps\":50,\"batch\":8,\"lr\":0.01,\"weight_decay\":0.0,\"warmup\":5,\"min_lr_ratio\":0.1,"
                    + "\"eval_every\":25,\"grad_clip\":1.0,\"time_limit\":60,\"seed\":3}");
            assertThat(q.rows().get(1)).containsExactly(old, null, null, null, null);
        }
    }

    @Test
    void aSearchRecordsAStartWithItsScheduleAndAResultWithItsToldOrder() {
        try (ResultsStore store = ResultsStore.open(url())) {
            long s = store.createSearch(search("one commit each"));
            long t = store.startTrial(trial(s, 1, arch("attention.mha", 2)), 1, 3);
            assertThat(store.journal(s)).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo("running");
                assertThat(e.rung()).isEqualTo(1);
                assertThat(e.toldBefore()).isEqualTo(3);
                assertThat(e.toldOrder()).isNull();
            });
            store.finishTrial(t, ok(t, 1.5), 5);
            assertThat(store.journal(s)).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo("ok");
                assertThat(e.toldOrder()).isEqualTo(5);
            });
            assertThat(store.trial(t).orElseThrow().valLoss()).isEqualTo(1.5);
        }
    }

    @Test
    void trialLifecycleRoundTrips() {
        Architecture a = arch("attention.mha", 4);
        try (ResultsStore store = ResultsStore.open(url())) {
            long s = store.createSearch(search("lifecycle"));
            long t = store.startTrial(trial(s, 1, a));

            TrialSummary running = store.trial(t).orElseThrow();
            assertThat(running.status()).isEqualTo("running");
            assertThat(running.fingerprint()).isEqualTo(a.fingerprint());
            assertThat(running.summary()).isEqualTo(a.summary());
            assertThat(running.valLoss()).isNaN();

            TrialResult r = ok(t, 1.5);
            store.finishTrial(t, r);
            store.finishSearch(s, "finished", t);

            assertThat(store.architecture(t)).contains(a);
            TrialSummary done = store.trial(t).orElseThrow();
            assertThat(done).isEqualTo(new TrialSummary(t, s, 1, 0, a.fingerprint(), a.summary(), "ok", 1.5, 0.85,
                    12_345, 3.25, null));
            assertThat(store.metrics(t)).isEqualTo(Map.of("params", 12_345.0, "train_loss", 1.5 * 0.9,
                    "train_seconds", 3.25, "val_accuracy", 0.85, "val_loss", 1.5));
            assertThat(store.curve(t)).containsExactly( // record equality: NaN equals NaN
                    new CurvePoint(0, "train", 3.4, Double.NaN), new CurvePoint(25, "train", 2.5, Double.NaN),
                    new CurvePoint(25, "val", 2.6, 0.3), new CurvePoint(50, "val", 1.5, 0.85));

            // JSON columns hold JSON values, not quoted strings
            QueryResult json = store.readOnlyQuery("SELECT architecture, architecture IS JSON OBJECT AS kind, component_versions FROM trial WHERE id = " + t);
            assertThat(json.columns()).containsExactly("ARCHITECTURE", "KIND", "COMPONENT_VERSIONS");
            assertThat(json.rows().getFirst().get(0)).isEqualTo(a.canonicalJson());
            assertThat(json.rows().getFirst().get(1)).isEqualTo(true);
            assertThat(json.rows().getFirst().get(2))
                    .isEqualTo("{\"attention.mha\":\"attention@0.1.0/1\",\"norm.rms\":\"norms@0.1.0/1\"}");

            QueryResult components = store.readOnlyQuery(
                    "SELECT layer, slot, component_id, params FROM trial_component WHERE trial_id = " + t + " ORDER BY layer, slot");
            assertThat(components.rows()).containsExactly(
                    List.of(-1, "final_norm", "norm.rms", "{}"),
                    List.of(0, "channel_mixer", "mixer.mlp", "{\"activation\":\"gelu\",\"expansion\":4.0}"),
                    List.of(0, "norm", "norm.rms", "{}"),
                    List.of(0, "residual", "residual.pre_norm", "{}"),
                    List.of(0, "token_mixer", "attention.mha", "{\"heads\":4}"),
                    List.of(1, "channel_mixer", "mixer.glu", "{\"expansion\":2.0}"),
                    List.of(1, "norm", "norm.layer", "{}"),
                    List.of(1, "residual", "residual.post_norm", "{}"),
                    List.of(1, "token_mixer", "mixer.conv", "{\"kernel\":3}"));
            // JSON is queryable: the heads parameter of each layer's token mixer
            QueryResult heads = store.readOnlyQuery("SELECT CAST(CAST((params).\"heads\" AS VARCHAR) AS INT) FROM trial_component "
                    + "WHERE slot = 'token_mixer' AND component_id = 'attention.mha'");
            assertThat(heads.rows()).containsExactly(List.of(4));

            SearchSummary summary = store.search(s).orElseThrow();
            assertThat(summary.status()).isEqualTo("finished");
            assertThat(summary.trials()).isEqualTo(1);
            assertThat(summary.bestTrialId()).isEqualTo(t);
            assertThat(summary.bestValLoss()).isEqualTo(1.5);
            assertThat(summary.finishedAt()).isAfterOrEqualTo(summary.startedAt());

            // a second report replaces the first, it does not duplicate rows
            store.finishTrial(t, TrialResult.failed(t, "worker crashed: exit 137"));
            TrialSummary failed = store.trial(t).orElseThrow();
            assertThat(failed.status()).isEqualTo("failed");
            assertThat(failed.error()).isEqualTo("worker crashed: exit 137");
            assertThat(failed.valLoss()).isNaN();
            assertThat(store.metrics(t)).isEmpty();
            assertThat(store.curve(t)).isEmpty();
        }
    }

    @Test
    void topOrdersByValidationLoss() {
        try (ResultsStore store = ResultsStore.open(url())) {
            long s = store.createSearch(search("top"));
            double[] losses = {2.0, 0.5, 1.25, 3.0};
            long[] ids = new long[losses.length];
            for (int i = 0; i < losses.length; i++) {
                ids[i] = store.startTrial(trial(s, i + 1, arch("attention.mha", i + 1)));
                store.finishTrial(ids[i], ok(ids[i], losses[i]));
            }
            long failed = store.startTrial(trial(s, 5, arch("attention.mha", 5)));
            store.finishTrial(failed, TrialResult.failed(failed, "NaN loss at step 3"));
            store.startTrial(trial(s, 6, arch("attention.mha", 6))); // still running

            assertThat(store.top(s, 10)).extracting(TrialSummary::id).containsExactly(ids[1], ids[2], ids[0], ids[3]);
            assertThat(store.top(s, 2)).extracting(TrialSummary::valLoss).containsExactly(0.5, 1.25);
            assertThat(store.trials(s)).extracting(TrialSummary::ordinal).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(store.search(s).orElseThrow().bestTrialId()).isEqualTo(ids[1]);

            // a second search gets the best architecture from the cache
            long s2 = store.createSearch(search("top-2"));
            long cached = store.recordCachedTrial(trial(s2, 1, arch("attention.mha", 2)), ids[1]);
            assertThat(store.top(s2, 10)).extracting(TrialSummary::id, TrialSummary::status, TrialSummary::valLoss)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(cached, "cached", 0.5));
            // across searches each trained result appears once
            assertThat(store.top(null, 3)).extracting(TrialSummary::id).containsExactly(ids[1], ids[2], ids[0]);
        }
    }

    @Test
    void findFinishedIsTheCrossSearchCache() {
        Architecture a = arch("attention.mha", 4);
        try (ResultsStore store = ResultsStore.open(url())) {
            assertThat(store.findFinished(a.fingerprint(), TASK, RECIPE)).isEmpty();
            long s1 = store.createSearch(search("one"));
            long failed = store.startTrial(trial(s1, 1, a));
            store.finishTrial(failed, TrialResult.failed(failed, "out of memory"));
            assertThat(store.findFinished(a.fingerprint(), TASK, RECIPE)).isEmpty();

            long first = store.startTrial(trial(s1, 2, a));
            store.finishTrial(first, ok(first, 1.0));
            long s2 = store.createSearch(search("two"));
            long second = store.startTrial(trial(s2, 1, a));
            store.finishTrial(second, ok(second, 0.9));

            assertThat(store.findFinished(a.fingerprint(), TASK, RECIPE)).map(TrialSummary::id).contains(second);
            assertThat(store.findFinished(a.fingerprint(), TASK, RECIPE + ",other")).isEmpty();
            assertThat(store.findFinished(arch("attention.mha", 8).fingerprint(), TASK, RECIPE)).isEmpty();

            long s3 = store.createSearch(search("three"));
            long cached = store.recordCachedTrial(trial(s3, 1, a), second);
            assertThat(store.trial(cached).orElseThrow().status()).isEqualTo("cached");
            assertThat(store.metrics(cached)).isEqualTo(store.metrics(second));
            assertThat(store.curve(cached)).hasSize(4);
            assertThat(store.readOnlyQuery("SELECT cached_from_trial_id FROM trial WHERE id = " + cached).rows())
                    .containsExactly(List.of(second));
            // a cached trial is never itself the cache's answer, and a failed trial cannot answer
            assertThat(store.findFinished(a.fingerprint(), TASK, RECIPE)).map(TrialSummary::id).contains(second);
            assertThatThrownBy(() -> store.recordCachedTrial(trial(s3, 2, a), failed))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failed");
            assertThatThrownBy(() -> store.recordCachedTrial(trial(s3, 2, arch("attention.mha", 8)), second))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another architecture");
            assertThat(store.trials(s3)).hasSize(1);
        }
    }

    @Test
    void adHocSqlIsReadOnly() {
        Path csv = dir.resolve("leak.csv");
        try (ResultsStore store = ResultsStore.open(url())) {
            long s = store.createSearch(search("ro"));
            long t = store.startTrial(trial(s, 1, arch("attention.mha", 4)));
            store.finishTrial(t, ok(t, 1.0));

            QueryResult q = store.readOnlyQuery("SELECT id, status, val_loss FROM trial ORDER BY id");
            assertThat(q.columns()).containsExactly("ID", "STATUS", "VAL_LOSS");
            assertThat(q.rows()).containsExactly(List.of(t, "ok", 1.0));
            assertThat(q.truncated()).isFalse();

            List<String> writes = List.of(
                    "INSERT INTO search (name, seed, strategy, task_key, recipe_key, budget, started_at) VALUES ('x', 1, 'r', 't', 'r', 1, CURRENT_TIMESTAMP)",
                    "UPDATE trial SET val_loss = 0",
                    "DELETE FROM metric",
                    "DROP TABLE curve",
                    "CREATE TABLE evil (x INT)",
                    "CALL CSVWRITE('" + csv + "', 'SELECT * FROM trial')",
                    "SELECT FILE_WRITE('x', '" + csv + "')",
                    "SELECT 1; DELETE FROM trial",
                    "SHUTDOWN");
            for (String sql : writes) {
                assertThatThrownBy(() -> store.readOnlyQuery(sql)).as(sql)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("results sql is read-only: ")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            }
            assertThatThrownBy(() -> store.readOnlyQuery("SELEC 1"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("results sql failed: Syntax error");
            // the reader may change its own password in H2: the store puts it back
            store.readOnlyQuery("ALTER USER STRATA_READER SET PASSWORD 'changed'");

            assertThat(csv).doesNotExist();
            assertThat(store.readOnlyQuery("SELECT COUNT(*) FROM search").rows()).containsExactly(List.of(1L));
            assertThat(store.metrics(t)).hasSize(5);
            assertThat(store.trial(t).orElseThrow().valLoss()).isEqualTo(1.0);
            assertThat(store.curve(t)).hasSize(4);
        }
    }

    @Test
    void adHocSqlRowsAreCapped() {
        try (ResultsStore store = ResultsStore.open(url())) {
            QueryResult q = store.readOnlyQuery("SELECT X FROM SYSTEM_RANGE(1, 20000)");
            assertThat(q.rows()).hasSize(ResultsStore.MAX_QUERY_ROWS);
            assertThat(q.truncated()).isTrue();
            assertThat(store.readOnlyQuery("SELECT X FROM SYSTEM_RANGE(1, 3)").truncated()).isFalse();
        }
    }

    @Test
    void secondStoreReadsWhileTheFirstWrites() {
        try (ResultsStore writer = ResultsStore.open(url())) {
            long s = writer.createSearch(search("live"));
            try (ResultsStore reader = ResultsStore.openExisting(url())) {
                for (int i = 1; i <= 5; i++) {
                    long t = writer.startTrial(trial(s, i, arch("attention.mha", i)));
                    assertThat(reader.trials(s)).hasSize(i);
                    writer.finishTrial(t, ok(t, 5.0 - i));
                    assertThat(reader.top(s, 1)).extracting(TrialSummary::id).containsExactly(t);
                    assertThat(reader.readOnlyQuery("SELECT COUNT(*) FROM trial WHERE status = 'ok'").rows())
                            .containsExactly(List.of((long) i));
                }
            }
            writer.finishSearch(s, "finished", null);
            assertThat(writer.search(s).orElseThrow().trials()).isEqualTo(5);
        }
    }

    @Test
    void anotherProcessReadsWhileThisOneWrites() throws Exception {
        try (ResultsStore writer = ResultsStore.open(url())) {
            long s = writer.createSearch(search("cross-process"));
            for (int i = 1; i <= 2; i++) {
                long t = writer.startTrial(trial(s, i, arch("attention.mha", i)));
                writer.finishTrial(t, ok(t, i));
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    ResultsReaderMain.class.getName(), url(), Long.toString(s))
                    .redirectErrorStream(true).start();
            int ordinal = 3;
            while (child.isAlive() && ordinal < 500) { // keep writing while the other process reads
                long t = writer.startTrial(trial(s, ordinal, arch("attention.mha", ordinal)));
                writer.finishTrial(t, ok(t, ordinal));
                ordinal++;
            }
            String out = new String(child.getInputStream().readAllBytes());
            assertThat(child.waitFor()).as(out).isZero();
            assertThat(out).contains("best=1.0").contains("refused: results sql is read-only");
            long t = writer.startTrial(trial(s, ordinal, arch("attention.mha", ordinal)));
            writer.finishTrial(t, ok(t, 0.5));
            assertThat(writer.top(s, 1)).extracting(TrialSummary::id).containsExactly(t);
        }
    }

    @Test
    void foreignOrCorruptDatabasesAreRefused() throws Exception {
        Path foreign = dir.resolve("foreign");
        String foreignUrl = ResultsStore.fileUrl(foreign);
        try (Connection c = DriverManager.getConnection(foreignUrl, "sa", "")) {
            c.createStatement().execute("CREATE TABLE customers (id INT)");
        }
        assertThatThrownBy(() -> ResultsStore.open(foreignUrl)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(foreignUrl).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        Path other = dir.resolve("other-user");
        try (Connection c = DriverManager.getConnection(ResultsStore.fileUrl(other), "admin", "secret")) {
            c.createStatement().execute("CREATE TABLE x (id INT)");
        }
        assertThatThrownBy(() -> ResultsStore.open(ResultsStore.fileUrl(other))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a Strata results database");

        Path corrupt = dir.resolve("corrupt");
        Files.writeString(dir.resolve("corrupt.mv.db"), "this is not an H2 file ".repeat(500));
        assertThatThrownBy(() -> ResultsStore.open(ResultsStore.fileUrl(corrupt))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ResultsStore.fileUrl(corrupt)).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void openExistingNeverCreatesADatabase() {
        Path missing = dir.resolve("nowhere/strata");
        assertThatThrownBy(() -> ResultsStore.openExisting(ResultsStore.fileUrl(missing)))
                .isInstanceOf(NoResultsDatabaseException.class)
                .hasMessage("no results database at " + missing + ".mv.db: run a search first");
        // a URL whose file check is left to H2
        String url = "jdbc:h2:" + dir.resolve("elsewhere/strata");
        assertThatThrownBy(() -> ResultsStore.openExisting("jdbc:h2:" + "nio:" + dir.resolve("x/y")))
                .isInstanceOf(NoResultsDatabaseException.class);
        assertThatThrownBy(() -> ResultsStore.openExisting(url)).isInstanceOf(NoResultsDatabaseException.class);
        assertThat(dir.resolve("nowhere")).doesNotExist();
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }
}
