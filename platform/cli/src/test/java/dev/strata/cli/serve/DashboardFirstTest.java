package dev.strata.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCli;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.training.TrialResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dashboard started before a search: the dashboard's process opened the file first, so it
 * serves the database (AUTO_SERVER) and the search writes through it. Closing the dashboard
 * mid-search must not lose the search: the writer reconnects (and then serves the file itself).
 */
class DashboardFirstTest {

    @TempDir
    Path dir;

    @Test
    void aSearchKeepsWritingWhenTheDashboardThatServedItsDatabaseExits() throws Exception {
        Path db = dir.resolve("strata");
        SyntheticResults.generate(db, 1, 2, 1);
        Process serve = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), StrataCli.class.getName(), "serve", "--db", db.toString(), "--port", "0")
                .redirectErrorStream(true).start();
        try {
            String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).startsWith("strata dashboard: ");
            // A request makes sure the dashboard has the file open before this test's writer does.
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(first.split(" ")[2] + "api/searches")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);

            try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) { // connects to the dashboard's process
                long search = store.createSearch(new NewSearch("after-dashboard", null, null, 1, "grid", "task", "recipe", 4, "cpu"));
                SplittableRandom rnd = new SplittableRandom(1);
                writeTrial(store, search, 1, SyntheticResults.architecture(rnd));

                serve.destroy(); // Ctrl-C: the process serving the file goes away
                assertThat(serve.waitFor(20, TimeUnit.SECONDS)).isTrue();

                writeTrial(store, search, 2, SyntheticResults.architecture(rnd));
                writeTrial(store, search, 3, SyntheticResults.architecture(rnd));
                store.finishSearch(search, "finished", null);
                assertThat(store.trials(search)).hasSize(3).allMatch(t -> t.status().equals("ok"));
            }
        } finally {
            serve.destroyForcibly();
        }
    }

    private static void writeTrial(ResultsStore store, long search, int ordinal, Architecture a) {
        long id = store.startTrial(new NewTrial(search, ordinal, 0, null, a, "task", "recipe", ordinal, "cpu"));
        store.finishTrial(id, new TrialResult(id, true, null, Map.of("val_loss", 1.0 / ordinal), List.of(), Map.of()));
    }
}
