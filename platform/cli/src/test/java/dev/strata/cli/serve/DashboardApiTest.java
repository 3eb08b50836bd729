package dev.strata.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.QueryResult;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's JSON API over a real H2 file of synthetic searches, through real HTTP: what
 * each endpoint answers (checked against plain SQL and the schema's views), that it only reads,
 * that no request text reaches SQL, and that it follows a search as trials are written.
 */
class DashboardApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static String url;
    static DashboardServer server;
    static ResultsStore store;
    static List<Long> searchIds;
    static final int TRIALS = 100;

    @BeforeAll
    static void synthesiseAndServe() throws Exception {
        Path db = dir.resolve("results/strata");
        searchIds = SyntheticResults.generate(db, 2, TRIALS, 11);
        url = ResultsStore.fileUrl(db);
        store = ResultsStore.open(url); // the test's own writer, and SQL to compare with
        server = DashboardServer.start(url, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (store != null) store.close();
    }

    record Reply(int status, JsonNode json, HttpResponse<String> raw) {}

    static Reply get(String path) throws Exception {
        return send("GET", path);
    }

    static Reply send(String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        b.method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("DELETE FROM trial"));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String type = r.headers().firstValue("Content-Type").orElse("");
        JsonNode json = type.startsWith("application/json") && !r.body().isEmpty() ? JSON.readTree(r.body()) : null;
        return new Reply(r.statusCode(), json, r);
    }

    static long sqlLong(String sql) {
        return ((Number) store.readOnlyQuery(sql).rows().getFirst().getFirst()).longValue();
    }

    // ------------------------------------------------------------------ answers

    @Test
    void searchesAndSummaryMatchTheDatabase() throws Exception {
        Reply r = get("/api/searches");
        assertThat(r.status()).isEqualTo(200);
        JsonNode list = r.json().get("searches");
        assertThat(list).hasSizeGreaterThanOrEqualTo(2);
        long s1 = searchIds.getFirst();
        JsonNode first = find(list, s -> s.get("id").asLong() == s1);
        assertThat(first.get("trials").asLong()).isEqualTo(TRIALS);
        assertThat(first.get("status").asText()).isEqualTo("finished");
        long best = sqlLong("SELECT id FROM trial WHERE search_id = " + s1
                + " AND status IN ('ok', 'cached') AND val_loss IS NOT NULL ORDER BY val_loss, id LIMIT 1");
        assertThat(first.get("best_trial_id").asLong()).isEqualTo(best);

        JsonNode s = get("/api/searches/" + s1 + "/summary").json();
        assertThat(s.get("trials").asLong()).isEqualTo(TRIALS);
        for (String status : List.of("ok", "cached", "failed", "running")) {
            assertThat(s.get(status).asLong()).as(status)
                    .isEqualTo(sqlLong("SELECT COUNT(*) FROM trial WHERE search_id = " + s1 + " AND status = '" + status + "'"));
        }
        assertThat(s.get("best_trial_id").asLong()).isEqualTo(best);
        assertThat(s.get("last_ordinal").asInt()).isEqualTo(TRIALS);

        JsonNode detail = get("/api/searches/" + s1).json();
        assertThat(detail.get("space_yaml").asText()).contains("name: synthetic-1");
        assertThat(detail.get("best_val_loss").asDouble()).isPositive();
    }

    @Test
    void trialPagesAreBoundedAndOrderedAsSqlOrdersThem() throws Exception {
        long s1 = searchIds.getFirst();
        JsonNode page = get("/api/searches/" + s1 + "/trials").json();
        assertThat(page.get("total").asLong()).isEqualTo(TRIALS);
        assertThat(page.get("trials")).hasSize(50);
        assertThat(page.get("trials").get(0).get("ordinal").asInt()).isEqualTo(TRIALS);
        assertThat(page.get("trials").get(49).get("ordinal").asInt()).isEqualTo(TRIALS - 49);

        JsonNode byLoss = get("/api/searches/" + s1 + "/trials?sort=val_loss&dir=asc&offset=5&limit=10").json();
        QueryResult expected = store.readOnlyQuery("SELECT id FROM trial WHERE search_id = " + s1
                + " AND status IN ('ok', 'cached') AND val_loss IS NOT NULL ORDER BY val_loss, ordinal LIMIT 10 OFFSET 5");
        List<Long> want = expected.rows().stream().map(row -> ((Number) row.getFirst()).longValue()).toList();
        List<Long> got = new ArrayList<>();
        byLoss.get("trials").forEach(t -> got.add(t.get("id").asLong()));
        assertThat(got).isEqualTo(want);
        assertThat(byLoss.get("total").asLong()).isEqualTo(sqlLong("SELECT COUNT(*) FROM trial WHERE search_id = " + s1
                + " AND status IN ('ok', 'cached') AND val_loss IS NOT NULL"));

        assertThat(get("/api/searches/" + s1 + "/trials?offset=" + (TRIALS + 1)).json().get("trials")).isEmpty();
        assertThat(get("/api/searches/" + s1 + "/trials?limit=201").status()).isEqualTo(400);
        assertThat(get("/api/searches/" + s1 + "/trials?limit=0").status()).isEqualTo(400);
        assertThat(get("/api/searches/" + s1 + "/trials?sort=params").status()).isEqualTo(400);
    }

    @Test
    void chartsAndComponentStatisticsEqualTheSchemasViews() throws Exception {
        long s1 = searchIds.getFirst();
        JsonNode progress = get("/api/searches/" + s1 + "/progress").json();
        long finished = sqlLong("SELECT COUNT(*) FROM trial WHERE search_id = " + s1 + " AND status IN ('ok', 'cached') AND val_loss IS NOT NULL");
        assertThat(progress.get("finished").asLong()).isEqualTo(finished);
        assertThat(progress.get("points")).hasSize((int) finished); // fewer than 2000: no sampling
        double last = Double.POSITIVE_INFINITY;
        for (JsonNode step : progress.get("best")) {
            assertThat(step.get(1).asDouble()).isLessThan(last);
            last = step.get(1).asDouble();
        }
        assertThat(last).isEqualTo(get("/api/searches/" + s1 + "/summary").json().get("best_val_loss").asDouble());

        JsonNode pareto = get("/api/searches/" + s1 + "/pareto").json();
        Set<Long> front = new HashSet<>();
        pareto.get("front").forEach(f -> {
            front.add(f.get("id").asLong());
            assertThat(f.get("summary").asText()).startsWith("d");
        });
        Set<Long> view = new HashSet<>();
        store.readOnlyQuery("SELECT trial_id FROM pareto_front WHERE search_id = " + s1).rows()
                .forEach(row -> view.add(((Number) row.getFirst()).longValue()));
        assertThat(front).isNotEmpty().isEqualTo(view);
        assertThat(pareto.get("others")).hasSize((int) (pareto.get("finished").asLong() - front.size()));

        JsonNode comps = get("/api/searches/" + s1 + "/components").json().get("components");
        QueryResult stats = store.readOnlyQuery("SELECT kind, component_id, trials, mean_val_loss, best_val_loss, mean_params"
                + " FROM component_stats WHERE search_id = " + s1);
        assertThat(comps).hasSize(stats.rows().size());
        for (List<Object> row : stats.rows()) {
            JsonNode c = find(comps, n -> n.get("kind").asText().equals(row.get(0)) && n.get("component_id").asText().equals(row.get(1)));
            assertThat(c.get("trials").asLong()).isEqualTo(((Number) row.get(2)).longValue());
            assertThat(c.get("mean_val_loss").asDouble()).isCloseTo(((Number) row.get(3)).doubleValue(), within(1e-9));
            assertThat(c.get("best_val_loss").asDouble()).isEqualTo(((Number) row.get(4)).doubleValue());
            assertThat(c.get("mean_params").asDouble()).isCloseTo(((Number) row.get(5)).doubleValue(), within(1e-6));
        }
    }

    @Test
    void aTrialComesWithMetricsArchitectureComponentsAndCurve() throws Exception {
        long id = sqlLong("SELECT MIN(id) FROM trial WHERE search_id = " + searchIds.getFirst() + " AND status = 'ok'");
        JsonNode t = get("/api/trials/" + id).json();
        assertThat(t.get("status").asText()).isEqualTo("ok");
        assertThat(t.get("metrics").get("val_loss").asDouble()).isEqualTo(t.get("val_loss").asDouble());
        int depth = t.get("architecture").get("layers").size();
        assertThat(depth).isPositive();
        assertThat(t.get("components")).hasSize(4 * depth + 1);
        assertThat(t.get("recipe").get("steps").asInt()).isEqualTo(250);

        JsonNode curve = get("/api/trials/" + id + "/curve").json();
        assertThat(curve.get("train")).hasSize(25);
        assertThat(curve.get("val")).hasSize(5);
        assertThat(curve.get("val").get(4).get(0).asInt()).isEqualTo(250);
        assertThat(curve.get("val").get(4).get(1).asDouble()).isEqualTo(t.get("val_loss").asDouble());

        assertThat(get("/api/trials/999999").status()).isEqualTo(404);
        assertThat(get("/api/trials/999999/curve").status()).isEqualTo(404);
        assertThat(get("/api/searches/999999/summary").status()).isEqualTo(404);
    }

    @Test
    void theStaticPageAndItsScriptAreServedWithAStrictContentSecurityPolicy() throws Exception {
        Reply page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().body()).contains("id=\"trial-count\"").contains("<script src=\"app.js\"></script>").doesNotContain("http://", "https://");
        assertThat(page.raw().headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'").contains("script-src 'self'");
        assertThat(get("/app.js").raw().body()).contains("setInterval(poll, POLL_MS)").doesNotContain("innerHTML");
        assertThat(get("/style.css").status()).isEqualTo(200);
        assertThat(get("/../pom.xml").status()).isEqualTo(404);
        assertThat(get("/dev/strata/cli/serve/ServeCommand.class").status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ security

    @Test
    void everyMethodButGetAndHeadIsRefusedAndNothingChanges() throws Exception {
        long trials = sqlLong("SELECT COUNT(*) FROM trial");
        long s1 = searchIds.getFirst();
        for (String path : List.of("/", "/app.js", "/api", "/api/searches", "/api/searches/" + s1, "/api/searches/" + s1 + "/trials",
                "/api/trials/1", "/api/trials/1/curve", "/api/nope")) {
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
                Reply r = send(method, path);
                assertThat(r.status()).as(method + " " + path).isEqualTo(405);
                assertThat(r.raw().headers().firstValue("Allow")).contains("GET, HEAD");
                assertThat(r.json().get("error").asText()).contains("not allowed");
            }
        }
        Reply head = send("HEAD", "/api/searches/" + s1 + "/summary");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.raw().body()).isEmpty();
        assertThat(Long.parseLong(head.raw().headers().firstValue("Content-Length").orElseThrow())).isPositive();
        assertThat(sqlLong("SELECT COUNT(*) FROM trial")).isEqualTo(trials);
    }

    @Test
    void noEndpointTakesSqlTablesOrColumnsAndIdsAreNumbers() throws Exception {
        Set<String> allowed = Set.of("sort", "dir", "offset", "limit");
        for (ApiRoutes.Route r : ApiRoutes.ROUTES) {
            assertThat(allowed).as(r.template()).containsAll(r.params());
            assertThat(r.template().replace("{id}", "")).matches("[a-z/]+");
            String path = r.template().replace("{id}", Long.toString(searchIds.getFirst()));
            for (String name : List.of("sql", "q", "query", "table", "where", "column")) {
                Reply reply = get(path + "?" + name + "=DELETE%20FROM%20trial");
                assertThat(reply.status()).as(path + "?" + name).isEqualTo(400);
                assertThat(reply.json().get("error").asText()).contains("unknown parameter '" + name + "'");
            }
        }
        for (String badId : List.of("abc", "1;DROP%20TABLE%20trial", "1%20OR%201=1", "-1", "0", "1.5", "99999999999999999999", "%31")) {
            for (String path : List.of("/api/searches/" + badId, "/api/searches/" + badId + "/trials", "/api/trials/" + badId + "/curve")) {
                Reply reply = get(path);
                assertThat(reply.status()).as(path).isEqualTo(400);
                assertThat(reply.json().get("error").asText()).contains("must be a positive whole number");
            }
        }
        long s1 = searchIds.getFirst();
        assertThat(get("/api/searches/" + s1 + "/trials?sort=val_loss;DROP%20TABLE%20trial").status()).isEqualTo(400);
        assertThat(get("/api/searches/" + s1 + "/trials?limit=1%20OR%201=1").status()).isEqualTo(400);
        assertThat(get("/api/searches/" + s1 + "/trials?limit=5&limit=6").status()).isEqualTo(400);
        assertThat(get("/api/sql").status()).isEqualTo(404);
        assertThat(get("/api/searches/" + s1 + "/trial").status()).isEqualTo(404);
        assertThat(sqlLong("SELECT COUNT(*) FROM trial")).isEqualTo(sqlLong("SELECT COUNT(*) FROM trial")).isPositive();

        JsonNode index = get("/api").json();
        assertThat(index.get("endpoints")).hasSize(ApiRoutes.ROUTES.size());
    }

    @Test
    void requestsForAnotherHostNameAreRefusedAgainstDnsRebinding() throws Exception {
        assertThat(rawStatusLine("evil.example:" + server.port())).contains(" 403 ");
        assertThat(rawStatusLine("localhost:" + server.port())).contains(" 200 ");
        assertThat(rawStatusLine("127.0.0.1:" + server.port())).contains(" 200 ");
        assertThat(DashboardServer.loopbackHost("[::1]:8765")).isTrue();
        assertThat(DashboardServer.loopbackHost("127.0.0.1.evil.example")).isFalse();
        assertThat(DashboardServer.loopbackHost(null)).isFalse();
    }

    private static String rawStatusLine(String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/searches HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    // ------------------------------------------------------------------ live

    @Test
    void followsASearchAsTrialsStartAndFinish() throws Exception {
        long searchId = store.createSearch(new NewSearch("live", null, null, 1, "regularized-evolution", "task", "recipe", 3, "cpu"));
        assertThat(get("/api/searches").json().get("searches").get(0).get("id").asLong()).isEqualTo(searchId);
        JsonNode s = awaitSummary(searchId, n -> n.get("trials").asInt() == 0);
        assertThat(s.get("best_trial_id").isNull()).isTrue();

        SplittableRandom rnd = new SplittableRandom(5);
        Architecture a1 = SyntheticResults.architecture(rnd);
        Architecture a2 = SyntheticResults.architecture(rnd);
        long t1 = store.startTrial(new NewTrial(searchId, 1, 0, null, a1, "task", "recipe", 1, "cpu"));
        long t2 = store.startTrial(new NewTrial(searchId, 2, 0, null, a2, "task", "recipe", 2, "cpu"));
        s = awaitSummary(searchId, n -> n.get("trials").asInt() == 2);
        assertThat(s.get("running").asInt()).isEqualTo(2);
        assertThat(get("/api/searches/" + searchId + "/components").json().get("components")).isEmpty();

        store.finishTrial(t1, new TrialResult(t1, true, null, Map.of("val_loss", 0.75, "params", 1234.0),
                List.of(new CurvePoint(10, "val", 0.75, 0.5)), Map.of()));
        store.finishTrial(t2, TrialResult.failed(t2, "NaN loss"));
        s = awaitSummary(searchId, n -> n.get("running").asInt() == 0);
        assertThat(s.get("ok").asInt()).isEqualTo(1);
        assertThat(s.get("failed").asInt()).isEqualTo(1);
        assertThat(s.get("best_trial_id").asLong()).isEqualTo(t1);
        assertThat(s.get("best_val_loss").asDouble()).isEqualTo(0.75);

        JsonNode comps = get("/api/searches/" + searchId + "/components").json().get("components");
        assertThat(comps).isNotEmpty();
        assertThat(find(comps, c -> c.get("kind").asText().equals("token_mixer")
                && c.get("component_id").asText().equals(a1.layers().getFirst().tokenMixer().id())).get("trials").asInt()).isEqualTo(1);
        JsonNode progress = get("/api/searches/" + searchId + "/progress").json();
        assertThat(progress.get("points")).hasSize(1);
        assertThat(progress.get("failed").asInt()).isEqualTo(1);
        JsonNode page = get("/api/searches/" + searchId + "/trials").json();
        assertThat(page.get("trials").get(0).get("error").asText()).isEqualTo("NaN loss"); // newest first

        store.finishSearch(searchId, "finished", t1);
        assertThat(awaitSummary(searchId, n -> n.get("status").asText().equals("finished")).get("version").asText()).startsWith("finished/2/1/0/1/0");
    }

    /** The summary once it satisfies {@code ok} (a snapshot is reused for up to 300 ms). */
    private static JsonNode awaitSummary(long searchId, Predicate<JsonNode> ok) throws Exception {
        JsonNode s = null;
        for (int i = 0; i < 50; i++) {
            s = get("/api/searches/" + searchId + "/summary").json();
            if (ok.test(s)) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("summary never matched: " + s);
    }

    private static JsonNode find(JsonNode array, Predicate<JsonNode> p) {
        for (JsonNode n : array) if (p.test(n)) return n;
        throw new AssertionError("no element matches in " + array);
    }
}
