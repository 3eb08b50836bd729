package dev.strata.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCli;
import dev.strata.core.results.ResultsStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * End to end in a real browser: a real {@code strata search} process trains a small space with
 * worker JVMs while a real {@code strata serve} process serves its database, and headless
 * Chromium watches the page. The trial count on the page must grow while the search runs, the
 * page must show the finished search (table, charts, components, a trial's curve and
 * architecture), and the server must refuse writes and SQL coming from the page.
 */
class DashboardBrowserTest {

    private static final int BUDGET = 4;

    /**
     * The quickstart space, smaller: two widths and depths, fewer trials. The trials must last
     * long enough (about 1.5 s each) for the dashboard process and the page to come up while the
     * search still runs: with 30 steps the whole search took 1.9 s and was over before the page.
     */
    private static final String SPACE = """
            name: dashboard-e2e
            seed: 3
            task: {id: task.mqar, params: {pairs: 4, vocab: 32, validation_size: 128}}
            model:
              d_model: [16, 32]
              depth: [1, 2]
              token_mixer: {attention.mha: {heads: [1, 2]}}
              channel_mixer: {mixer.mlp: {expansion: 2}}
              norm: [norm.layer, norm.rms]
              residual: [residual.pre_norm, residual.post_norm]
            recipe: {steps: 200, batch: 16, lr: 3e-3, eval_every: 50}
            strategy: {population: 3, tournament: 2}
            budget: {trials: %d}
            """.formatted(BUDGET);

    @TempDir
    Path dir;

    @Test
    void theTrialCountGrowsWhileASearchRunsAndThePageShowsEverySectionAndCannotWrite() throws Exception {
        Path db = dir.resolve("results/strata");
        Path space = Files.writeString(dir.resolve("dashboard-e2e.yaml"), SPACE);
        Process search = java(dir.resolve("search.log"), "search", space.toString(), "--db", db.toString(),
                "--plugins", builtInPlugins().toString(), "--quiet");
        Process serve = null;
        // The browser starts while the search process starts (both take seconds).
        CompletableFuture<HeadlessChromium> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return HeadlessChromium.start(dir.resolve("chromium-profile"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        HeadlessChromium chromium = null;
        long t0 = System.nanoTime();
        StringBuilder timeline = new StringBuilder();
        try {
            awaitSearchRow(db, search);
            timeline.append(String.format("search recorded after %.1f s; ", (System.nanoTime() - t0) / 1e9));
            serve = java(null, "serve", "--db", db.toString(), "--port", "0");
            URI uri = dashboardUrl(serve);
            timeline.append(String.format("dashboard up after %.1f s; ", (System.nanoTime() - t0) / 1e9));
            chromium = starting.get(2, TimeUnit.MINUTES);
            WebDriver browser = chromium.driver();
            browser.get(uri.toString());
            timeline.append(String.format("page open after %.1f s; ", (System.nanoTime() - t0) / 1e9));

            // Watch the count as a user would, until the search is over and the page says so.
            List<Integer> seen = new ArrayList<>();
            List<String> statuses = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (System.nanoTime() < deadline) {
                int count = Integer.parseInt(text(browser, "trial-count"));
                String status = text(browser, "search-status");
                if (seen.isEmpty() || seen.getLast() != count || !statuses.getLast().equals(status)) {
                    seen.add(count);
                    statuses.add(status);
                }
                if (status.equals("finished") && count == BUDGET) break;
                Thread.sleep(200);
            }
            timeline.append(String.format("search over after %.1f s", (System.nanoTime() - t0) / 1e9));
            String log = timeline + "\ncounts " + seen + " with statuses " + statuses + "\n" + Files.readString(dir.resolve("search.log"));
            assertThat(seen).as(log).isSortedAccordingTo(Integer::compare);
            assertThat(seen.getLast()).as(log).isEqualTo(BUDGET);
            assertThat(statuses.getLast()).as(log).isEqualTo("finished");
            // live: the page showed the search running with fewer trials, then more, without a reload
            assertThat(statuses).as(log).contains("running");
            int firstRunning = seen.get(statuses.indexOf("running"));
            assertThat(firstRunning).as(log).isLessThan(BUDGET);
            assertThat(seen.stream().filter(n -> n > firstRunning).count()).as(log).isGreaterThanOrEqualTo(1);
            assertThat(seen.stream().distinct().count()).as(log).isGreaterThanOrEqualTo(2);
            System.out.println("dashboard e2e: " + timeline + "; counts seen " + seen + " " + statuses);
            assertThat(search.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(search.exitValue()).as(log).isZero();

            // Every section, from the finished search.
            WebDriver b = browser;
            await(() -> b.findElements(By.cssSelector("#trials tbody tr")).size() == BUDGET, "a row per trial in the trial table");
            await(() -> !b.findElements(By.cssSelector("#progress-chart circle.pt")).isEmpty(), "trials in the progress chart");
            await(() -> !b.findElements(By.cssSelector("#pareto-chart circle.front")).isEmpty(), "a Pareto front");
            await(() -> text(b, "components").contains("attention.mha") && text(b, "components").contains("norm."), "component statistics");
            b.findElements(By.cssSelector("#trials tbody tr")).getFirst().click();
            await(() -> b.findElement(By.id("trial-detail")).isDisplayed(), "the trial detail");
            await(() -> !b.findElements(By.cssSelector("#curve-chart path.val-line")).isEmpty(), "the trial's validation curve");
            assertThat(text(b, "architecture")).contains("attention.mha").contains("mixer.mlp");
            assertThat(text(b, "trial-metrics")).contains("val_loss").contains("params");
            assertThat(b.findElement(By.id("error")).isDisplayed()).as(text(b, "error")).isFalse();

            // The page (any script in it) cannot write or send SQL.
            @SuppressWarnings("unchecked")
            List<Object> statusesFromPage = (List<Object>) ((JavascriptExecutor) b).executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const asks = [['POST', '/api/searches'], ['PUT', '/api/searches/1'], ['DELETE', '/api/trials/1'],
                                  ['PATCH', '/api/searches/1/trials'], ['GET', '/api/searches/1/trials?sql=DELETE%20FROM%20trial'],
                                  ['GET', '/api/searches/1%3BDROP%20TABLE%20trial'], ['GET', '/api/sql?q=SELECT%201']];
                    Promise.all(asks.map(([m, u]) => fetch(u, {method: m, body: m === 'GET' ? undefined : 'DELETE FROM trial'})
                        .then(r => r.status))).then(done, e => done(String(e)));
                    """);
            assertThat(statusesFromPage).extracting(o -> ((Number) o).intValue()).containsExactly(405, 405, 405, 405, 400, 400, 404);
            try (ResultsStore store = ResultsStore.openExisting(ResultsStore.fileUrl(db))) {
                assertThat(store.trials(store.searches().getFirst().id())).hasSize(BUDGET);
            }
        } finally {
            if (chromium != null) chromium.close();
            else starting.thenAccept(HeadlessChromium::close);
            if (serve != null) {
                serve.destroy();
                serve.waitFor(10, TimeUnit.SECONDS);
            }
            search.descendants().forEach(ProcessHandle::destroyForcibly);
            search.destroyForcibly();
        }
    }

    private static String text(WebDriver b, String id) {
        WebElement e = b.findElement(By.id(id));
        return e.getText().strip();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the page never showed " + what);
    }

    /** The strata command in a new JVM with this test's class path (log: file, or null for a pipe). */
    private static Process java(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StrataCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (log != null) pb.redirectOutput(log.toFile());
        return pb.start();
    }

    private static Path builtInPlugins() {
        Path p = Path.of(System.getProperty("strata.plugins.dir", "../../build/plugins"));
        if (!Files.isDirectory(p)) throw new IllegalStateException("no built plugins at " + p + ": build the project first");
        return p;
    }

    /** Waits until the search process has created its database and recorded the search (as the read-only user). */
    private static void awaitSearchRow(Path db, Process search) throws Exception {
        String url = ResultsStore.fileUrl(db) + ";IFEXISTS=TRUE";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && search.isAlive()) {
            if (Files.exists(Path.of(db + ResultsStore.FILE_SUFFIX))) {
                try (Connection c = DriverManager.getConnection(url, ResultsStore.READER_USER, ResultsStore.READER_PASSWORD);
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM search")) {
                    if (rs.next() && rs.getLong(1) > 0) return;
                } catch (SQLException notYet) {
                    // still being created or migrated
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the search recorded nothing: " + Files.readString(db.getParent().getParent().resolve("search.log")));
    }

    /** The URL {@code strata serve} prints on its first line. */
    private static URI dashboardUrl(Process serve) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                StringBuilder all = new StringBuilder();
                for (String l; (l = out.readLine()) != null; ) {
                    all.append(l).append('\n');
                    if (l.startsWith("strata dashboard: ")) return l;
                }
                return all.toString();
            } catch (IOException e) {
                return e.toString();
            }
        });
        String first = line.get(60, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("strata dashboard: (http://\\S+)").matcher(first);
        assertThat(m.find()).as("serve printed: " + first).isTrue();
        // keep draining its output so that it never blocks on a full pipe
        CompletableFuture.runAsync(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // it exited
            }
        });
        return URI.create(m.group(1));
    }
}
