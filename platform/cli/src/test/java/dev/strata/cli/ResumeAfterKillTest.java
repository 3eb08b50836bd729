package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator is a real process, killed with SIGKILL in the middle of a search; then
 * {@code search --resume ID} finishes it. Finished trials must be untouched and not trained
 * again, the trial that was running trains again, and the search must end exactly where an
 * uninterrupted run with the same seed ends.
 */
class ResumeAfterKillTest {

    @TempDir
    static Path dir;
    static Path plugins;

    static final String SPACE = """
            name: resume
            seed: 7
            task: {id: task.mqar, params: {pairs: 4, vocab: 32, validation_size: 128}}
            model:
              d_model: [16, 32]
              depth: [1, 2]
              token_mixer: [attention.mha, attention.mqa, mixer.short_conv]
              channel_mixer: {mixer.mlp: {expansion: 2}}
              norm: [norm.layer, norm.rms]
              residual: [residual.pre_norm, residual.post_norm]
            recipe: {steps: 40, batch: 16, lr: 3e-3, eval_every: 20}
            strategy: {name: guided-evolution, population: 4, tournament: 2}
            budget: {trials: 9}
            """;

    @BeforeAll
    static void plugins() throws Exception {
        plugins = TestPlugins.copyBuiltIn(dir.resolve("plugins"));
    }

    private record Row(long id, int ordinal, String fingerprint, double valLoss, String status) {}

    private static List<Row> rows(Path db) {
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            return store.trials(store.searches().getFirst().id()).stream()
                    .map(t -> new Row(t.id(), t.ordinal(), t.fingerprint(), t.valLoss(), t.status())).toList();
        }
    }

    private static Map<Long, Object> finishedAt(Path db) {
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            return store.readOnlyQuery("SELECT id, finished_at FROM trial WHERE status = 'ok'").rows().stream()
                    .collect(Collectors.toMap(r -> Long.parseLong(String.valueOf(r.get(0))), r -> String.valueOf(r.get(1))));
        }
    }

    @Test
    void aSearchKilledWithSigkillResumesToTheUninterruptedResult() throws Exception {
        Path f = dir.resolve("resume.yaml");
        Files.writeString(f, SPACE);
        Path killedDb = dir.resolve("killed/strata");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process search = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                StrataCli.class.getName(), "search", f.toString(), "--db", killedDb.toString(), "--plugins", plugins.toString(), "--quiet")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile())
                .start();
        long finishedBeforeKill = 0;
        long runningAtKill = 0;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            // Killed with at least 3 trials finished and one running: the next trial's start is
            // recorded a few milliseconds after a result, so the count of finished trials alone
            // could catch the search in between.
            while (search.isAlive() && System.nanoTime() < deadline && (finishedBeforeKill < 3 || runningAtKill < 1)) {
                Thread.sleep(200);
                Cli q = Cli.run("results", "sql", "--db", killedDb.toString(),
                        "SELECT SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok, SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running FROM trial");
                if (q.exitCode() == 0) {
                    long[] counts = q.out().lines().map(String::strip).filter(l -> l.matches("\\d+\\s+\\d+")).findFirst()
                            .map(l -> Arrays.stream(l.split("\\s+")).mapToLong(Long::parseLong).toArray()).orElse(new long[] {0, 0});
                    finishedBeforeKill = counts[0];
                    runningAtKill = counts[1];
                }
            }
            assertThat(search.isAlive()).as("the search must still be running when killed: " + Files.readString(dir.resolve("killed.log"))).isTrue();
        } finally {
            search.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the database
        }
        assertThat(search.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(search.exitValue()).isEqualTo(137);

        List<Row> before = rows(killedDb);
        Map<Long, Object> finishedTimes = finishedAt(killedDb);
        List<Row> finishedBefore = before.stream().filter(r -> r.status().equals("ok")).toList();
        assertThat(finishedBefore).hasSizeGreaterThanOrEqualTo(3);
        assertThat(before).anyMatch(r -> r.status().equals("running"));
        assertThat(before.size()).isLessThan(9);
        long searchId;
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(killedDb))) {
            searchId = store.searches().getFirst().id();
            assertThat(store.searches().getFirst().status()).isEqualTo("running");
        }

        Cli resumed = Cli.run("search", "--resume", String.valueOf(searchId), "--db", killedDb.toString(), "--plugins", plugins.toString(), "--quiet");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.out()).contains("resuming search " + searchId).contains(finishedBefore.size() + " trials finished before");

        List<Row> after = rows(killedDb);
        assertThat(after).hasSize(9).allMatch(r -> r.status().equals("ok"));
        assertThat(after).extracting(Row::fingerprint).doesNotHaveDuplicates();
        // Finished trials intact: same rows, same results, same finish times (not trained again).
        assertThat(after).containsAll(finishedBefore);
        Map<Long, Object> finishedTimesAfter = finishedAt(killedDb);
        finishedTimes.forEach((id, at) -> assertThat(finishedTimesAfter.get(id)).as("trial " + id + " finish time").isEqualTo(at));

        Path cleanDb = dir.resolve("clean/strata");
        Cli clean = Cli.run("search", f.toString(), "--db", cleanDb.toString(), "--plugins", plugins.toString(), "--quiet");
        assertThat(clean.exitCode()).as(clean.toString()).isZero();
        List<Row> uninterrupted = rows(cleanDb);
        assertThat(after).extracting(Row::fingerprint).isEqualTo(uninterrupted.stream().map(Row::fingerprint).toList());
        try (ResultsStore a = ResultsStore.open(ResultsStore.fileUrl(killedDb)); ResultsStore b = ResultsStore.open(ResultsStore.fileUrl(cleanDb))) {
            TrialSummary bestResumed = a.trial(a.searches().getFirst().bestTrialId()).orElseThrow();
            TrialSummary bestClean = b.trial(b.searches().getFirst().bestTrialId()).orElseThrow();
            assertThat(a.searches().getFirst().status()).isEqualTo("finished");
            assertThat(bestResumed.fingerprint()).isEqualTo(bestClean.fingerprint());
            assertThat(bestResumed.valLoss()).isCloseTo(bestClean.valLoss(), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void resumingAnUnknownOrFinishedSearchIsAClearError() throws Exception {
        Path db = dir.resolve("empty/strata");
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            store.searches();
        }
        Cli r = Cli.run("search", "--resume", "42", "--db", db.toString(), "--plugins", plugins.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--resume 42: no such search");
    }
}
