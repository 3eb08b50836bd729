package dev.strata.cli.serve;

import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.SearchSummary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * How long the dashboard's first page takes on a large database, in a real headless Chromium.
 * Prints figures; asserts nothing (run by {@code bench/dashboard.sh}, documented in docs/dashboard.md).
 *
 * <p>It starts the server as {@code strata serve} does, then loads the page {@code LOADS} times in
 * a fresh tab each time: the first load right after the server started (cold: nothing cached, JIT
 * not warm), then warm ones. A load is done when the page has drawn every section of the newest
 * search (header, progress chart, trial table, Pareto front, component statistics): the page sets
 * {@code body[data-loaded-ms]} to {@code performance.now()} then, i.e. milliseconds since the
 * navigation started. Then each JSON endpoint is timed alone over HTTP.
 *
 * <p>{@code java ... dev.strata.cli.serve.DashboardBench DB_PATH [TRIALS] [LOADS]}: the database is
 * generated with {@link SyntheticResults} ({@code TRIALS} trials, default 10,000) when it does not
 * exist yet.
 */
public final class DashboardBench {

    private DashboardBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DashboardBench DB_PATH [TRIALS] [LOADS]");
            System.exit(2);
        }
        Path db = Path.of(args[0]).toAbsolutePath();
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int loads = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        if (!Files.exists(Path.of(db + ResultsStore.FILE_SUFFIX))) {
            System.out.printf(Locale.ROOT, "generating %,d synthetic trials into %s (once; reused by later runs)...%n", trials, db);
            long t0 = System.nanoTime();
            SyntheticResults.generate(db, 1, trials, 1);
            System.out.printf(Locale.ROOT, "  generated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        String url = ResultsStore.fileUrl(db);
        long newest;
        try (ResultsStore store = ResultsStore.openExisting(url)) {
            List<SearchSummary> searches = store.searches();
            newest = searches.getLast().id();
            System.out.printf(Locale.ROOT, "database %s%s: %d search(es), %,d trials in the newest (search %d), file %,d MB%n",
                    db, ResultsStore.FILE_SUFFIX, searches.size(), searches.getLast().trials(), newest,
                    Files.size(Path.of(db + ResultsStore.FILE_SUFFIX)) / 1_000_000);
        }

        long t0 = System.nanoTime();
        try (DashboardServer server = DashboardServer.start(url, "127.0.0.1", 0);
                HeadlessChromium chromium = HeadlessChromium.start(Files.createTempDirectory("strata-bench-chromium"))) {
            System.out.printf(Locale.ROOT, "server and browser started in %.0f ms; %d CPU cores, load average %s (other work on the machine slows every figure)%n",
                    (System.nanoTime() - t0) / 1e6, Runtime.getRuntime().availableProcessors(), loadAverage());
            WebDriver b = chromium.driver();
            String page = server.uri().toString();
            System.out.println();
            System.out.println("load   page+script+style  last API answer  first page drawn  API calls  API bytes  slowest API call  trials shown");
            List<Double> warm = new ArrayList<>();
            double cold = 0;
            for (int i = 0; i <= loads; i++) {
                b.get("about:blank");
                b.get(page);
                Map<String, Object> t = awaitLoaded(b);
                double drawn = num(t.get("drawn"));
                if (i == 0) cold = drawn;
                else warm.add(drawn);
                System.out.printf(Locale.ROOT, "%-6s %13.0f ms %13.0f ms %14.0f ms %10d %9.0fk %14.0f ms  %s%n", i == 0 ? "cold" : "#" + i,
                        num(t.get("loadEnd")), num(t.get("apiEnd")), drawn, (long) num(t.get("apiCalls")), num(t.get("apiBytes")) / 1e3,
                        num(t.get("apiSlowest")), t.get("count"));
            }
            double[] w = warm.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.println();
            System.out.printf(Locale.ROOT, "first page drawn: cold %.0f ms; warm median %.0f ms, p90 %.0f ms, max %.0f ms (%d loads); load average now %s%n",
                    cold, pct(w, 0.5), pct(w, 0.9), w.length == 0 ? Double.NaN : w[w.length - 1], w.length, loadAverage());

            System.out.println();
            System.out.println("endpoint (alone, 20 calls)                         median      max    bytes");
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("/", "/app.js", "/api/searches", "/api/searches/" + newest, "/api/searches/" + newest + "/summary",
                    "/api/searches/" + newest + "/trials", "/api/searches/" + newest + "/trials?sort=val_loss&dir=asc",
                    "/api/searches/" + newest + "/progress", "/api/searches/" + newest + "/pareto",
                    "/api/searches/" + newest + "/components", "/api/trials/" + (newest == 1 ? 5000 : 1), "/api/trials/" + (newest == 1 ? 5000 : 1) + "/curve")) {
                double[] ms = new double[20];
                int bytes = 0;
                for (int i = 0; i < ms.length; i++) {
                    long s = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(page).resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    ms[i] = (System.nanoTime() - s) / 1e6;
                    bytes = r.body().length;
                    if (r.statusCode() != 200) throw new IllegalStateException(path + " answered " + r.statusCode());
                    if (path.endsWith("/summary")) Thread.sleep(SearchSnapshots.FRESH_MILLIS); // each call refreshes the snapshot
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%-48s %6.1f ms %6.1f ms %8d%n", path, pct(ms, 0.5), ms[ms.length - 1], bytes);
            }
        }
    }

    /** Waits for the page's "drawn" mark and reads the browser's own timings. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitLoaded(WebDriver b) throws InterruptedException {
        JavascriptExecutor js = (JavascriptExecutor) b;
        for (int i = 0; i < 600; i++) {
            Object r = js.executeScript("""
                    if (!document.body || !document.body.dataset.loadedMs) return null;
                    const nav = performance.getEntriesByType('navigation')[0];
                    const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/'));
                    return {drawn: Number(document.body.dataset.loadedMs), loadEnd: nav.loadEventEnd,
                            apiCalls: api.length, apiBytes: api.reduce((s, e) => s + e.encodedBodySize, 0),
                            apiSlowest: api.reduce((m, e) => Math.max(m, e.duration), 0),
                            apiEnd: api.reduce((m, e) => Math.max(m, e.responseEnd), 0),
                            count: document.getElementById('trial-count').textContent};""");
            if (r != null) return (Map<String, Object>) r;
            Thread.sleep(20);
        }
        throw new IllegalStateException("the page never finished loading");
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double num(Object o) {
        return o == null ? Double.NaN : ((Number) o).doubleValue();
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
