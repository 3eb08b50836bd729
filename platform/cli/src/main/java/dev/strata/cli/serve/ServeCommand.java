package dev.strata.cli.serve;

import dev.strata.cli.ExitCodes;
import dev.strata.cli.StrataPaths;
import dev.strata.core.results.ResultsStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata serve}: the live web dashboard over the results database. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a live web dashboard of the results database: searches, trials as they finish, progress,",
                "the Pareto front, per-component statistics, and each trial's curve and architecture.",
                "Read-only (GET only, as the database's read-only user); see docs/dashboard.md."})
public final class ServeCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 8765;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", defaultValue = "" + DEFAULT_PORT,
            description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}: this machine only). Anything else makes every result readable"
                    + " from the network, without authentication.")
    String host;

    @Option(names = "--db", paramLabel = "PATH|URL",
            description = "Results database: a file path (with or without .mv.db) or a jdbc: URL (default: STRATA_DB, else results/strata).")
    String db;

    /** Counted down to stop a running {@link #call()} (tests); Ctrl-C ends the JVM instead. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65_535) {
            err.println("strata: --port " + port + ": must be between 0 and 65535");
            return ExitCodes.BAD_INPUT;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            err.println("strata: --host " + host + ": unknown host");
            return ExitCodes.BAD_INPUT;
        }
        String url = ResultsStore.urlFor(db != null && !db.isBlank() ? db : StrataPaths.defaultDatabase());
        // Fails with one line (exit 2) when there is no database; brings an older schema up to date
        // and (re)creates the read-only user that the dashboard then reads as.
        try (ResultsStore ignored = ResultsStore.openForReading(url)) {
            // only checked
        }
        if (!address.isLoopbackAddress()) {
            err.println("strata: warning: serving on " + host + ": every result in " + url
                    + " is readable by anyone who can reach this port (no authentication)");
        }
        DashboardServer server;
        try {
            server = DashboardServer.start(url, host, port);
        } catch (BindException e) {
            err.println("strata: cannot listen on " + host + ":" + port + " (" + e.getMessage() + "): pick another with --port");
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            err.println("strata: cannot listen on " + host + ":" + port + ": " + e);
            return ExitCodes.BAD_INPUT;
        }
        Thread hook = new Thread(server::close, "strata-dashboard-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("strata dashboard: " + server.uri() + "  (reading " + url + "; Ctrl-C to stop)");
        out.flush();
        try {
            stop.await();
        } finally {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
        return ExitCodes.OK;
    }
}
