package dev.strata.cli.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dashboard's HTTP server (the JDK's {@code com.sun.net.httpserver}): a static page, its
 * script and style sheet from the classpath, and the JSON endpoints of {@link ApiRoutes}.
 *
 * <p>It answers GET and HEAD only; any other method gets 405. When bound to a loopback address it
 * also refuses requests whose {@code Host} header is not a loopback name (403), so a web page
 * elsewhere cannot reach it through DNS rebinding. Every response forbids framing and
 * content-type sniffing, and the page may load nothing but its own script and style (CSP).
 */
public final class DashboardServer implements AutoCloseable {

    /** Threads answering requests (and at most this many reader connections kept open). */
    static final int THREADS = 4;

    private static final String STATIC_ROOT = "/dev/strata/cli/serve/static/";
    private static final Map<String, String[]> STATIC_FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/style.css", new String[] {"style.css", "text/css; charset=utf-8"});
    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
            + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm
        // and the client's delayed ACK, each response over ~16 KB then waited ~40 ms for nothing.
        // Read once, when the server's configuration class loads: set before the first server.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ReaderConnections db;
    private final DashboardQueries queries;
    private final boolean loopbackOnly;
    private final Map<String, byte[]> staticBodies;

    private DashboardServer(HttpServer server, ExecutorService executor, ReaderConnections db, boolean loopbackOnly) {
        this.server = server;
        this.executor = executor;
        this.db = db;
        this.queries = new DashboardQueries(db);
        this.loopbackOnly = loopbackOnly;
        this.staticBodies = Map.of(
                "index.html", resource("index.html"), "app.js", resource("app.js"), "style.css", resource("style.css"));
    }

    /**
     * Starts serving the results database at {@code jdbcUrl}, which must exist (see
     * {@link dev.strata.core.results.ResultsStore#openExisting}), on {@code host:port}
     * ({@code port} 0 picks a free port).
     *
     * @throws IOException when the address cannot be bound (e.g. the port is in use)
     */
    public static DashboardServer start(String jdbcUrl, String host, int port) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 50);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "strata-dashboard-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ReaderConnections db = new ReaderConnections(jdbcUrl, THREADS);
        DashboardServer dashboard = new DashboardServer(http, executor, db, address.isLoopbackAddress());
        http.createContext("/", dashboard::handle);
        http.setExecutor(executor);
        http.start();
        executor.execute(dashboard::warmUp);
        return dashboard;
    }

    /**
     * Answers, in the background, what the first page asks about the newest search, so that the
     * first browser to arrive does not wait for the cold first read of a large search (or for the
     * JIT). The answers are not kept; the search's snapshot and H2's page cache are.
     */
    private void warmUp() {
        try {
            var searches = queries.searches().withArray("searches");
            if (searches.isEmpty()) return;
            long id = searches.get(0).get("id").asLong();
            queries.summary(id);
            queries.search(id);
            queries.trials(id, DashboardQueries.TrialOrder.ORDINAL_DESC, 0, 50);
            queries.progress(id);
            queries.pareto(id);
            queries.components(id);
        } catch (SQLException | RuntimeException e) {
            // the page will ask again and show the error then
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port/} for a browser (an IPv6 host in brackets). */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Headers h = ex.getResponseHeaders();
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Content-Security-Policy", CSP);
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                h.set("Allow", "GET, HEAD");
                sendJson(ex, 405, Json.error("method " + Json.clip(method) + " is not allowed: the dashboard only reads (GET, HEAD)"));
                return;
            }
            if (loopbackOnly && !loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                sendJson(ex, 403, Json.error("this dashboard answers only requests addressed to 127.0.0.1 or localhost"));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/api") || path.equals("/api/")) {
                sendJson(ex, 200, ApiRoutes.index());
            } else if (path.startsWith("/api/")) {
                api(ex, path);
            } else {
                staticFile(ex, path);
            }
        } catch (IOException e) {
            // the browser went away mid-response: nothing to tell it
        }
    }

    private void api(HttpExchange ex, String path) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        try {
            Optional<ApiRoutes.Match> m = ApiRoutes.match(path);
            if (m.isEmpty()) throw ApiError.notFound("no endpoint " + Json.clip(path) + " (GET /api lists them)");
            ApiRoutes.Route route = m.get().route();
            QueryParams params = QueryParams.parse(ex.getRequestURI().getRawQuery(), route.params());
            sendJson(ex, 200, route.handler().answer(queries, m.get().id(), params));
        } catch (ApiError e) {
            sendJson(ex, e.status(), Json.error(e.getMessage()));
        } catch (SQLException e) {
            sendJson(ex, 503, Json.error("results database: " + oneLine(e.getMessage())));
        } catch (RuntimeException e) {
            sendJson(ex, 500, Json.error("dashboard error: " + oneLine(String.valueOf(e))));
        }
    }

    private void staticFile(HttpExchange ex, String path) throws IOException {
        String[] file = STATIC_FILES.get(path);
        if (file == null) {
            byte[] body = ("not found: " + Json.clip(path) + "\n").getBytes(StandardCharsets.UTF_8);
            send(ex, 404, "text/plain; charset=utf-8", body);
            return;
        }
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        send(ex, 200, file[1], staticBodies.get(file[0]));
    }

    private static void sendJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", Json.bytes(body));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Whether a Host header names this machine's loopback interface (any port). */
    static boolean loopbackHost(String host) {
        if (host == null) return false;
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) h = h.substring(0, colon);
        return LOOPBACK_NAMES.contains(h);
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashboardServer.class.getResourceAsStream(STATIC_ROOT + name)) {
            if (in == null) throw new IllegalStateException("the dashboard's " + name + " is missing from the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "error" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /**
     * Stops answering (waiting at most a second for requests in flight) and closes the database
     * connections. Request threads are never interrupted: an interrupt inside H2's file I/O closes
     * the database file, which a search may be writing through this process.
     */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }
}
