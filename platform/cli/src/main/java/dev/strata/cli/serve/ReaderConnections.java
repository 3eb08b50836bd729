package dev.strata.cli.serve;

import dev.strata.core.results.ResultsStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.h2.api.ErrorCode;

/**
 * A few JDBC connections to the results database as the read-only user
 * {@value ResultsStore#READER_USER}: the dashboard can only SELECT, whatever a request asks.
 *
 * <p>The URL keeps {@code AUTO_SERVER=TRUE}, so while a search runs its process serves the file
 * and these connections read through it without blocking its writes (H2 is MVCC: readers take
 * no locks). {@code IFEXISTS=TRUE} is added so that a database deleted under the dashboard is
 * never re-created empty. A connection that breaks (the serving process exited, H2 then reopens
 * the file elsewhere) is dropped and the work is tried once more on a fresh one.
 */
final class ReaderConnections implements AutoCloseable {

    /** Seconds after which H2 cancels one dashboard query; every query is meant to take milliseconds. */
    static final int QUERY_TIMEOUT_SECONDS = 10;

    private static final Set<Integer> CONNECTION_LOST = Set.of(
            ErrorCode.CONNECTION_BROKEN_1, ErrorCode.DATABASE_IS_CLOSED, ErrorCode.OBJECT_CLOSED,
            ErrorCode.DATABASE_CALLED_AT_SHUTDOWN);

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final String url;
    private final BlockingQueue<Connection> idle;
    private volatile boolean closed;

    /**
     * @param jdbcUrl the database's URL as {@link ResultsStore#urlFor(String)} gives it
     * @param maxIdle connections kept open between requests (one per server thread is enough)
     */
    ReaderConnections(String jdbcUrl, int maxIdle) {
        String reader = ResultsStore.readerUrl(jdbcUrl);
        this.url = reader.toUpperCase(Locale.ROOT).contains(";IFEXISTS=") ? reader : reader + ";IFEXISTS=TRUE";
        this.idle = new ArrayBlockingQueue<>(maxIdle);
    }

    /** Runs {@code work} on a reader connection; once more on a new connection if the first one was lost. */
    <T> T read(SqlWork<T> work) throws SQLException {
        try {
            return readOnce(work);
        } catch (SQLException e) {
            if (!CONNECTION_LOST.contains(e.getErrorCode()) || closed) throw e;
            return readOnce(work);
        }
    }

    private <T> T readOnce(SqlWork<T> work) throws SQLException {
        if (closed) throw new SQLException("the dashboard is stopping", "08003", ErrorCode.DATABASE_IS_CLOSED);
        Connection c = idle.poll();
        if (c == null) c = open();
        boolean lost = false;
        try {
            return work.run(c);
        } catch (SQLException e) {
            lost = CONNECTION_LOST.contains(e.getErrorCode());
            throw e;
        } finally {
            // A refused request (ApiError) or a failed query leaves the connection as good as it was.
            if (lost || closed || !idle.offer(c)) closeQuietly(c);
        }
    }

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection(url, ResultsStore.READER_USER, ResultsStore.READER_PASSWORD);
        c.setReadOnly(true);
        c.setAutoCommit(true); // every query sees the latest committed trials
        return c;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do with a broken connection
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) closeQuietly(c);
    }
}
