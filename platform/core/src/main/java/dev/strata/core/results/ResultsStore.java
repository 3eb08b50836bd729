package dev.strata.core.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;

/**
 * The results database: one embedded H2 file (by default {@code results/strata.mv.db}) whose
 * schema Flyway owns ({@code db/migration} on the classpath). It records searches, trials, their
 * metrics and curves, and the component in every slot of every trial, and answers the questions
 * the CLI and dashboard ask.
 *
 * <p>File URLs are opened with {@code AUTO_SERVER=TRUE}: the first process to open the file serves
 * it, so {@code strata results ...} in another process can read while a search writes.
 *
 * <p>Writes are meant to come from one orchestrator thread; all methods are synchronized on the
 * store, so other threads may read. Never interrupt a thread that is inside this store: H2 closes
 * its file when an I/O call is interrupted.
 *
 * <p>Non-finite numbers (NaN, infinities) are stored as SQL NULL and read back as NaN.
 */
public final class ResultsStore implements AutoCloseable {

    /** Where the database lives unless told otherwise: {@code results/strata(.mv.db)}. */
    public static final Path DEFAULT_FILE = Path.of("results", "strata");

    /** The suffix H2 appends to the file name of a database. */
    public static final String FILE_SUFFIX = ".mv.db";

    /** {@link #readOnlyQuery(String)} returns at most this many rows. */
    public static final int MAX_QUERY_ROWS = 10_000;

    /** Seconds after which H2 cancels a {@link #readOnlyQuery(String)}. */
    public static final int QUERY_TIMEOUT_SECONDS = 120;

    /**
     * The highest migration version in {@code db/migration} ({@code V<n>__*.sql}); raise it with
     * every new migration (a test checks it).
     */
    public static final int SCHEMA_VERSION = 3;

    private static final String FIRST_MIGRATION = "V1__results_schema.sql";

    /** The read-only database user; it may SELECT from the PUBLIC schema and nothing else. */
    public static final String READER_USER = "STRATA_READER";

    /**
     * Its password. Not a secret (the admin account is H2's default {@code sa} with no password):
     * the reader account exists so that H2 itself enforces that ad-hoc SQL cannot write.
     */
    public static final String READER_PASSWORD = "strata-reader";

    static final String ADMIN_USER = "sa";
    static final String ADMIN_PASSWORD = "";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SEARCH_STATUSES = Set.of("running", "finished", "failed", "interrupted");
    private static final int MAX_ERROR_CHARS = 10_000;
    /** H2 error codes that mean the read-only user was refused. */
    private static final Set<Integer> REFUSED_CODES = Set.of(90096 /* not enough rights */, 90040 /* admin rights required */);
    private static final int DATABASE_NOT_FOUND = 90146;
    /** H2 error codes that mean the connection is gone (e.g. the process serving the file exited). */
    private static final Set<Integer> CONNECTION_LOST = Set.of(
            org.h2.api.ErrorCode.CONNECTION_BROKEN_1, org.h2.api.ErrorCode.DATABASE_IS_CLOSED,
            org.h2.api.ErrorCode.DATABASE_CALLED_AT_SHUTDOWN);

    private static final String TRIAL_COLUMNS =
            "id, search_id, ordinal, generation, fingerprint, summary, status, val_loss, val_accuracy, params, train_seconds, error";

    private final String url;
    private Connection conn; // replaced when the process serving the file went away (see tx)
    private boolean closed;

    private ResultsStore(String url, Connection conn) {
        this.url = url;
        this.conn = conn;
    }

    // ------------------------------------------------------------------ opening

    /**
     * The JDBC URL of a database file: {@code jdbc:h2:file:/abs/path;AUTO_SERVER=TRUE}. A trailing
     * {@code .mv.db} on the path is dropped (H2 adds it).
     */
    public static String fileUrl(Path fileWithoutSuffix) {
        String p = fileWithoutSuffix.toAbsolutePath().normalize().toString();
        if (p.endsWith(FILE_SUFFIX)) {
            p = p.substring(0, p.length() - FILE_SUFFIX.length());
        }
        return "jdbc:h2:file:" + p + ";AUTO_SERVER=TRUE";
    }

    /**
     * A JDBC URL for what a user typed: a string starting with {@code jdbc:} is used as is, anything
     * else is a file path (with or without {@code .mv.db}) given to {@link #fileUrl(Path)}.
     */
    public static String urlFor(String urlOrPath) {
        Objects.requireNonNull(urlOrPath, "urlOrPath");
        return urlOrPath.startsWith("jdbc:") ? urlOrPath : fileUrl(Path.of(urlOrPath));
    }

    /**
     * Opens (creating if needed) the database at {@code jdbcUrl} and brings its schema up to date.
     * Parent folders of a file database are created.
     *
     * @throws IllegalStateException with a one-line message naming the URL when it cannot be opened
     *     or is not a Strata results database (another application's or a corrupt file)
     */
    public static ResultsStore open(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        WarmUp.await();
        localFile(jdbcUrl).map(Path::getParent).ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the folder of results database " + jdbcUrl + ": " + e, e);
            }
        });
        return connectAndMigrate(jdbcUrl, jdbcUrl, true);
    }

    /**
     * Opens an existing database for reading (it is still migrated if its schema is older): adds
     * {@code IFEXISTS=TRUE} to the URL so that no empty database is created.
     *
     * @throws NoResultsDatabaseException when there is none at that place
     * @throws IllegalStateException as {@link #open(String)}
     */
    public static ResultsStore openExisting(String jdbcUrl) {
        return openExisting(jdbcUrl, true);
    }

    private static ResultsStore openExisting(String jdbcUrl, boolean writer) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Optional<Path> file = localFile(jdbcUrl).map(p -> Path.of(p + FILE_SUFFIX));
        String location = file.map(Path::toString).orElse(jdbcUrl);
        if (file.isPresent() && !Files.exists(file.get())) {
            throw new NoResultsDatabaseException(location);
        }
        String url = jdbcUrl.toUpperCase(Locale.ROOT).contains(";IFEXISTS=") ? jdbcUrl : jdbcUrl + ";IFEXISTS=TRUE";
        return connectAndMigrate(url, location, writer);
    }

    /**
     * Opens an existing database for a command that only reads it ({@code results}, {@code export},
     * the dashboard): as {@link #openExisting(String)}, on {@link #readerUrl(String)}, and without
     * touching any database setting.
     */
    public static ResultsStore openForReading(String jdbcUrl) {
        return openExisting(readerUrl(jdbcUrl), false);
    }

    /**
     * Starts loading H2 and Flyway on a background thread, by creating and migrating a private
     * in-memory database: in a fresh JVM that is most of the second {@link #open} of a new file takes
     * (about 1 s: 0.45 s H2, 0.3 s Flyway's set-up, 0.35 s the migrations; docs/performance.md).
     * A search calls it when it starts, so the loading overlaps its plugins and space being read
     * and validated; no file is touched, so bad input still writes nothing. {@link #open} waits for it.
     */
    public static void warmUpInBackground() {
        WarmUp.start();
    }

    /** The background warm-up of {@link #warmUpInBackground}; failures are ignored (open reports its own). */
    private static final class WarmUp {
        private static volatile Thread thread;

        static synchronized void start() {
            if (thread != null) return;
            thread = new Thread(() -> {
                String url = "jdbc:h2:mem:strata-warm-up-" + ProcessHandle.current().pid();
                try (Connection c = DriverManager.getConnection(url, ADMIN_USER, ADMIN_PASSWORD)) {
                    Flyway.configure(ResultsStore.class.getClassLoader()).dataSource(url, ADMIN_USER, ADMIN_PASSWORD)
                            .locations("classpath:db/migration").load().migrate();
                } catch (SQLException | RuntimeException e) {
                    // only a warm-up
                }
            }, "strata-results-warm-up");
            thread.setDaemon(true);
            thread.start();
        }

        static void await() {
            Thread t = thread;
            if (t == null) return;
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The URL a reading process opens: H2 otherwise spends up to its {@code MAX_COMPACT_TIME} (and
     * measured: 300 to 900 ms on a 10,000-trial file) compacting the file each time the last
     * connection closes, which is most of a {@code results} command's time. Only this process's
     * session gets the setting; the search that writes the file still compacts it when it closes.
     */
    public static String readerUrl(String jdbcUrl) {
        if (!jdbcUrl.regionMatches(true, 0, "jdbc:h2:", 0, 8) || jdbcUrl.toUpperCase(Locale.ROOT).contains(";MAX_COMPACT_TIME=")) {
            return jdbcUrl;
        }
        return jdbcUrl + ";MAX_COMPACT_TIME=0";
    }

    private static ResultsStore connectAndMigrate(String url, String location, boolean writer) {
        Connection c;
        try {
            c = DriverManager.getConnection(url, ADMIN_USER, ADMIN_PASSWORD);
        } catch (SQLException e) {
            if (e.getErrorCode() == DATABASE_NOT_FOUND) {
                throw new NoResultsDatabaseException(location);
            }
            if ("28000".equals(e.getSQLState())) {
                throw new IllegalStateException("not a Strata results database: " + url + " (" + h2Message(e) + ")", e);
            }
            throw new IllegalStateException("cannot open results database " + url + ": " + h2Message(e), e);
        }
        try {
            if (!schemaUpToDate(c)) {
                // Our connection keeps the database open while Flyway opens and closes its own.
                Flyway.configure(ResultsStore.class.getClassLoader())
                        .dataSource(url, ADMIN_USER, ADMIN_PASSWORD)
                        .locations("classpath:db/migration")
                        .failOnMissingLocations(true)
                        .load()
                        .migrate();
            }
            // Every commit reaches the file before the call returns: H2 otherwise writes commits
            // up to half a second later, and an orchestrator killed with SIGKILL would lose the
            // last finished trials (a persistent database setting).
            if (writer) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET WRITE_DELAY 0");
                }
            }
            c.setAutoCommit(false);
            ResultsStore store = new ResultsStore(url, c);
            store.ensureReader();
            return store;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw new IllegalStateException("not a Strata results database: " + url + " (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    /**
     * Whether Flyway has already applied {@link #SCHEMA_VERSION} (or a later version, from a newer
     * Strata): then opening skips Flyway, which keeps read commands fast and free of its log lines.
     */
    private static boolean schemaUpToDate(Connection c) {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT \"version\", \"script\" FROM \"flyway_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL")) {
            int max = 0;
            boolean ours = false;
            while (rs.next()) {
                max = Math.max(max, Integer.parseInt(rs.getString(1).strip()));
                ours |= FIRST_MIGRATION.equals(rs.getString(2));
            }
            return ours && max >= SCHEMA_VERSION;
        } catch (SQLException | NumberFormatException e) {
            return false; // a new, foreign or odd database: Flyway decides
        }
    }

    /** The path of a local file database without suffix, if the URL names one. */
    static Optional<Path> localFile(String jdbcUrl) {
        if (!jdbcUrl.regionMatches(true, 0, "jdbc:h2:", 0, 8)) return Optional.empty();
        String rest = jdbcUrl.substring(8);
        int semi = rest.indexOf(';');
        if (semi >= 0) rest = rest.substring(0, semi);
        for (String prefix : List.of("file:", "nio:", "async:", "nioMapped:")) {
            if (rest.startsWith(prefix)) {
                rest = rest.substring(prefix.length());
                break;
            }
        }
        if (rest.isEmpty() || rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")
                || rest.startsWith("zip:") || rest.startsWith("memFS:") || rest.startsWith("memLZF:")
                || rest.startsWith("split:") || rest.startsWith("classpath:")) {
            return Optional.empty();
        }
        if (rest.startsWith("~")) rest = System.getProperty("user.home") + rest.substring(1);
        return Optional.of(Path.of(rest).toAbsolutePath().normalize());
    }

    /**
     * (Re)creates the read-only user. A reader may change its own password in H2, so it is put
     * back every time a store opens and before each read-only query.
     */
    private void ensureReader() throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE USER IF NOT EXISTS " + READER_USER + " PASSWORD '" + READER_PASSWORD + "'");
            st.execute("ALTER USER " + READER_USER + " SET PASSWORD '" + READER_PASSWORD + "'");
            st.execute("ALTER USER " + READER_USER + " ADMIN FALSE");
            st.execute("GRANT SELECT ON SCHEMA PUBLIC TO " + READER_USER);
        }
        conn.commit();
    }

    /** The JDBC URL this store was opened with. */
    public String url() {
        return url;
    }

    // ------------------------------------------------------------------ searches

    /** Records a search with status {@code running}; returns its id. */
    public synchronized long createSearch(NewSearch s) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement("""
                    INSERT INTO search (name, space_file, space_yaml, seed, strategy, task_key, recipe_key, budget, device,
                                        status, started_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)""", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, s.name());
                ps.setString(2, s.spaceFile());
                ps.setString(3, s.spaceYaml());
                ps.setLong(4, s.seed());
                ps.setString(5, s.strategy());
                ps.setString(6, s.taskKey());
                ps.setString(7, s.recipeKey());
                ps.setInt(8, s.budget());
                ps.setString(9, s.device());
                ps.setObject(10, now());
                ps.executeUpdate();
                return generatedId(ps);
            }
        });
    }

    /**
     * Marks a search done.
     *
     * @param status finished, failed or interrupted (running is accepted too)
     * @param bestTrialId the trial the search considers best, or null
     */
    public synchronized void finishSearch(long searchId, String status, Long bestTrialId) {
        if (!SEARCH_STATUSES.contains(status)) {
            throw new IllegalArgumentException("search status must be one of " + SEARCH_STATUSES + ", got " + status);
        }
        tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE search SET status = ?, best_trial_id = ?, finished_at = ? WHERE id = ?")) {
                ps.setString(1, status);
                setLongOrNull(ps, 2, bestTrialId);
                ps.setObject(3, "running".equals(status) ? null : now());
                ps.setLong(4, searchId);
                if (ps.executeUpdate() == 0) throw new IllegalArgumentException("no search with id " + searchId);
            }
            return null;
        });
    }

    /** All searches, oldest first. */
    /** Stores the objectives and constraints of a search, as text (see {@code Objectives}). */
    public synchronized void recordObjectives(long searchId, String objectives, String constraints) {
        update("UPDATE search SET objectives = ?, constraints = ? WHERE id = ?", objectives, constraints, searchId);
    }

    /** What a search was started from, for {@code --resume}. */
    public record SearchSource(long id, String spaceFile, String spaceYaml, long seed, String status, String device) {}

    public synchronized Optional<SearchSource> searchSource(long searchId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, space_file, space_yaml, seed, status, device FROM search WHERE id = ?")) {
                ps.setLong(1, searchId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new SearchSource(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                            rs.getString(6)));
                }
            }
        });
    }

    /**
     * The latest finished search with exactly this space text and seed, if any: a search run again
     * follows its recorded order of events, so with the cache it trains nothing, whatever the
     * worker timing.
     */
    public synchronized Optional<Long> findTwinSearch(String spaceYaml, long seed) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM search WHERE status = 'finished' AND seed = ?"
                    + " AND CAST(space_yaml AS VARCHAR) = ? ORDER BY id DESC LIMIT 1")) {
                ps.setLong(1, seed);
                ps.setString(2, spaceYaml);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            }
        });
    }

    /** Sets a search back to running (a resumed search). */
    public synchronized void reopenSearch(long searchId) {
        update("UPDATE search SET status = 'running', finished_at = NULL WHERE id = ?", searchId);
    }

    /**
     * One trial as the search's journal sees it: its order, rung, how many results the strategy
     * had been told when it was proposed, and when its own result was told (null: never, it was
     * running when the search stopped).
     */
    public record JournalEntry(long trialId, int ordinal, String status, int rung, Integer toldBefore, Integer toldOrder,
            String fingerprint, String recipeKey, Long parentTrialId) {}

    /** Every trial of a search as journal entries, in ordinal order. */
    public synchronized List<JournalEntry> journal(long searchId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT id, ordinal, status, rung, told_before, told_order, fingerprint, recipe_key, parent_trial_id FROM trial"
                    + " WHERE search_id = ? ORDER BY ordinal")) {
                ps.setLong(1, searchId);
                List<JournalEntry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new JournalEntry(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getInt(4), (Integer) rs.getObject(5),
                                (Integer) rs.getObject(6), rs.getString(7), rs.getString(8), (Long) rs.getObject(9)));
                    }
                }
                return out;
            }
        });
    }

    /** The rung a trial runs at and how many results its strategy had been told when proposing it. */
    public synchronized void recordSchedule(long trialId, int rung, int toldBefore) {
        update("UPDATE trial SET rung = ?, told_before = ? WHERE id = ?", rung, toldBefore, trialId);
    }

    /** The position at which a trial's result was told to its strategy. */
    public synchronized void recordToldOrder(long trialId, int toldOrder) {
        update("UPDATE trial SET told_order = ? WHERE id = ?", toldOrder, trialId);
    }

    /** A trial that was running when its search stopped, set to run again: running, no result. */
    public synchronized void restartTrial(long trialId) {
        tx(() -> {
            for (String sql : List.of("DELETE FROM metric WHERE trial_id = ?", "DELETE FROM curve WHERE trial_id = ?")) {
                try (PreparedStatement ps = conn.prepareStatement(sql)) {
                    ps.setLong(1, trialId);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE trial SET status = 'running', error = NULL, finished_at = NULL, told_order = NULL, started_at = ? WHERE id = ?")) {
                ps.setObject(1, now());
                ps.setLong(2, trialId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void update(String sql, Object... args) {
        tx(() -> {
            execute(sql, args);
            return null;
        });
    }

    /** One statement inside the caller's transaction. */
    private void execute(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        }
    }

    public synchronized List<SearchSummary> searches() {
        return tx(() -> querySearches(null));
    }

    public synchronized Optional<SearchSummary> search(long id) {
        return tx(() -> querySearches(id).stream().findFirst());
    }

    private List<SearchSummary> querySearches(Long id) throws SQLException {
        String sql = """
                SELECT x.*, b.val_loss AS best_val_loss FROM (
                  SELECT s.id, s.name, s.strategy, s.seed, s.status, s.started_at, s.finished_at,
                         (SELECT COUNT(*) FROM trial t WHERE t.search_id = s.id) AS trials,
                         COALESCE(s.best_trial_id,
                                  (SELECT t.id FROM trial t
                                    WHERE t.search_id = s.id AND t.status IN ('ok', 'cached') AND t.val_loss IS NOT NULL
                                    ORDER BY t.val_loss, t.id LIMIT 1)) AS best_id
                  FROM search s %s
                ) x LEFT JOIN trial b ON b.id = x.best_id
                ORDER BY x.id""".formatted(id == null ? "" : "WHERE s.id = ?");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (id != null) ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                List<SearchSummary> out = new ArrayList<>();
                while (rs.next()) {
                    long best = rs.getLong("best_id");
                    Long bestId = rs.wasNull() ? null : best;
                    double bestLoss = rs.getDouble("best_val_loss");
                    Double bestValLoss = rs.wasNull() ? null : bestLoss;
                    out.add(new SearchSummary(rs.getLong("id"), rs.getString("name"), rs.getString("strategy"),
                            rs.getLong("seed"), rs.getString("status"), rs.getInt("trials"), bestId, bestValLoss,
                            instant(rs, "started_at"), instant(rs, "finished_at")));
                }
                return out;
            }
        }
    }

    // ------------------------------------------------------------------ trials

    /**
     * Records a trial with status {@code running}, with one {@code trial_component} row per slot
     * per layer and one for the final norm; returns its id.
     */
    public synchronized long startTrial(NewTrial t) {
        return tx(() -> {
            long id = insertTrial(t, "running", null);
            insertComponents(id, t.architecture());
            return id;
        });
    }

    /**
     * {@link #startTrial} and {@link #recordSchedule} in one transaction: what a search writes when it
     * starts a trial, one commit instead of two (each commit is written through to the file).
     */
    public synchronized long startTrial(NewTrial t, int rung, int toldBefore) {
        return tx(() -> {
            long id = insertTrial(t, "running", null);
            insertComponents(id, t.architecture());
            execute("UPDATE trial SET rung = ?, told_before = ? WHERE id = ?", rung, toldBefore, id);
            return id;
        });
    }

    /**
     * Records what a worker reported: status ok or failed, error, metric and curve rows, component
     * versions, the denormalised metric columns and the finish time, in one transaction. Calling it
     * again for the same trial replaces the earlier report. {@code r.trialId()} is not consulted.
     */
    public synchronized void finishTrial(long trialId, TrialResult r) {
        Objects.requireNonNull(r, "result");
        tx(() -> {
            writeResult(trialId, r);
            return null;
        });
    }

    /**
     * {@link #finishTrial} and {@link #recordToldOrder} in one transaction: what a search writes when
     * a trial reports, one commit instead of two.
     */
    public synchronized void finishTrial(long trialId, TrialResult r, int toldOrder) {
        Objects.requireNonNull(r, "result");
        tx(() -> {
            writeResult(trialId, r);
            execute("UPDATE trial SET told_order = ? WHERE id = ?", toldOrder, trialId);
            return null;
        });
    }

    private void writeResult(long trialId, TrialResult r) throws SQLException {
        Map<String, Double> metrics = r.metrics() == null ? Map.of() : r.metrics();
        try (PreparedStatement ps = conn.prepareStatement("""
                UPDATE trial SET status = ?, error = ?, component_versions = ? FORMAT JSON, finished_at = ?,
                                 train_seconds = ?, val_loss = ?, val_accuracy = ?, params = ?
                WHERE id = ?""")) {
            ps.setString(1, r.ok() ? "ok" : "failed");
            ps.setString(2, r.ok() ? null : clip(r.error() == null || r.error().isBlank() ? "unknown error" : r.error()));
            ps.setString(3, json(new TreeMap<>(r.componentVersions() == null ? Map.of() : r.componentVersions())));
            ps.setObject(4, now());
            setDouble(ps, 5, metrics.get("train_seconds"));
            setDouble(ps, 6, metrics.get("val_loss"));
            setDouble(ps, 7, metrics.get("val_accuracy"));
            Double params = metrics.get("params");
            setLongOrNull(ps, 8, params == null || !Double.isFinite(params) ? null : Math.round(params));
            ps.setLong(9, trialId);
            if (ps.executeUpdate() == 0) throw new IllegalArgumentException("no trial with id " + trialId);
        }
        for (String table : List.of("metric", "curve")) {
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + table + " WHERE trial_id = ?")) {
                ps.setLong(1, trialId);
                ps.executeUpdate();
            }
        }
        if (!metrics.isEmpty()) {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO metric (trial_id, name, metric_value) VALUES (?, ?, ?)")) {
                for (Map.Entry<String, Double> e : new TreeMap<>(metrics).entrySet()) {
                    ps.setLong(1, trialId);
                    ps.setString(2, e.getKey());
                    setDouble(ps, 3, e.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        List<CurvePoint> curve = r.curve() == null ? List.of() : r.curve();
        if (!curve.isEmpty()) {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO curve (trial_id, step, split, loss, accuracy) VALUES (?, ?, ?, ?, ?)")) {
                for (CurvePoint p : curve) {
                    ps.setLong(1, trialId);
                    ps.setInt(2, p.step());
                    ps.setString(3, p.split());
                    setDouble(ps, 4, p.loss());
                    setDouble(ps, 5, p.accuracy());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /**
     * Records a trial answered from the cache: status {@code cached}, pointing at the trial that
     * was actually trained, with copies of that trial's metrics, curve, component versions and
     * denormalised metric columns. A cached source is followed to its origin.
     *
     * @throws IllegalArgumentException when the source does not exist, did not finish ok, or has
     *     another fingerprint, task or recipe
     */
    public synchronized long recordCachedTrial(NewTrial t, long sourceTrialId) {
        return tx(() -> {
            long origin;
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT status, fingerprint, task_key, recipe_key, cached_from_trial_id FROM trial WHERE id = ?")) {
                ps.setLong(1, sourceTrialId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new IllegalArgumentException("no trial with id " + sourceTrialId);
                    String status = rs.getString(1);
                    if (!status.equals("ok") && !status.equals("cached")) {
                        throw new IllegalArgumentException("trial " + sourceTrialId + " is " + status + ", not ok: it cannot answer from the cache");
                    }
                    if (!rs.getString(2).equals(t.architecture().fingerprint())
                            || !rs.getString(3).equals(t.taskKey()) || !rs.getString(4).equals(t.recipeKey())) {
                        throw new IllegalArgumentException("trial " + sourceTrialId + " has another architecture, task or recipe: it cannot answer from the cache");
                    }
                    long from = rs.getLong(5);
                    origin = rs.wasNull() ? sourceTrialId : from;
                }
            }
            long id = insertTrial(t, "cached", sourceTrialId);
            try (PreparedStatement ps = conn.prepareStatement("""
                    UPDATE trial SET cached_from_trial_id = ?, finished_at = started_at,
                        (component_versions, train_seconds, val_loss, val_accuracy, params) =
                        (SELECT component_versions, train_seconds, val_loss, val_accuracy, params FROM trial WHERE id = ?)
                    WHERE id = ?""")) {
                ps.setLong(1, origin);
                ps.setLong(2, sourceTrialId);
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            copyRows("INSERT INTO metric (trial_id, name, metric_value) SELECT ?, name, metric_value FROM metric WHERE trial_id = ?", id, sourceTrialId);
            copyRows("INSERT INTO curve (trial_id, step, split, loss, accuracy) SELECT ?, step, split, loss, accuracy FROM curve WHERE trial_id = ?", id, sourceTrialId);
            insertComponents(id, t.architecture());
            return id;
        });
    }

    /**
     * The most recent trial that finished ok with this fingerprint, task and recipe, in any search:
     * the cross-search cache lookup.
     */
    public synchronized Optional<TrialSummary> findFinished(String fingerprint, String taskKey, String recipeKey) {
        return findFinishedCandidates(fingerprint, taskKey, recipeKey, 1).stream().findFirst();
    }

    /**
     * Up to {@code limit} trials that finished ok with this fingerprint, task and recipe, in any
     * search, most recent first: the candidates of the cross-search cache when not every finished
     * trial may answer (early stopping).
     */
    public synchronized List<TrialSummary> findFinishedCandidates(String fingerprint, String taskKey, String recipeKey, int limit) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + TRIAL_COLUMNS + """
                     FROM trial WHERE fingerprint = ? AND task_key = ? AND recipe_key = ? AND status = 'ok'
                    ORDER BY finished_at DESC, id DESC LIMIT ?""")) {
                ps.setString(1, fingerprint);
                ps.setString(2, taskKey);
                ps.setString(3, recipeKey);
                ps.setInt(4, limit);
                return trialSummaries(ps);
            }
        });
    }

    /**
     * The {@code n} trials with the lowest validation loss. Within one search these are its ok and
     * cached trials; across all searches ({@code searchIdOrNull == null}) cached trials are left
     * out when the trial they copy is still there, so each trained result appears once.
     */
    public synchronized List<TrialSummary> top(Long searchIdOrNull, int n) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative, got " + n);
        return tx(() -> {
            if (searchIdOrNull != null) return topOf(searchIdOrNull, n, "status IN ('ok', 'cached')");
            // Across searches: the best n of each search by its (search_id, val_loss) index, merged. One
            // query over all trials would read and sort every row (there is no index on val_loss alone).
            List<Long> searchIds = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM search ORDER BY id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) searchIds.add(rs.getLong(1));
            }
            List<TrialSummary> all = new ArrayList<>();
            for (long id : searchIds) {
                all.addAll(topOf(id, n, "(status = 'ok' OR (status = 'cached' AND cached_from_trial_id IS NULL))"));
            }
            all.sort(java.util.Comparator.comparingDouble(TrialSummary::valLoss).thenComparingLong(TrialSummary::id));
            return List.copyOf(all.subList(0, Math.min(n, all.size())));
        });
    }

    /**
     * The best {@code n} trials of one search that pass {@code statusFilter}, read in the order of
     * the (search_id, val_loss) index so that H2 stops after {@code n} rows (it otherwise picks the
     * (search_id, ordinal) index and sorts the whole search).
     */
    private List<TrialSummary> topOf(long searchId, int n, String statusFilter) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + TRIAL_COLUMNS + " FROM trial USE INDEX (trial_search_val_loss_ix)"
                + " WHERE search_id = ? AND " + statusFilter + " AND val_loss IS NOT NULL ORDER BY search_id, val_loss, id LIMIT ?")) {
            ps.setLong(1, searchId);
            ps.setInt(2, n);
            return trialSummaries(ps);
        }
    }

    /** Every trial of a search, in ordinal order. */
    public synchronized List<TrialSummary> trials(long searchId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT " + TRIAL_COLUMNS + " FROM trial WHERE search_id = ? ORDER BY ordinal, id")) {
                ps.setLong(1, searchId);
                return trialSummaries(ps);
            }
        });
    }

    public synchronized Optional<TrialSummary> trial(long trialId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + TRIAL_COLUMNS + " FROM trial WHERE id = ?")) {
                ps.setLong(1, trialId);
                return trialSummaries(ps).stream().findFirst();
            }
        });
    }

    /** The architecture a trial trained, parsed back from its JSON column. */
    public synchronized Optional<Architecture> architecture(long trialId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT architecture FROM trial WHERE id = ?")) {
                ps.setLong(1, trialId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(Architecture.fromJson(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    /** A trial's metric rows by name (sorted); unmeasured values are NaN. */
    public synchronized Map<String, Double> metrics(long trialId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT name, metric_value FROM metric WHERE trial_id = ? ORDER BY name")) {
                ps.setLong(1, trialId);
                Map<String, Double> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), dbl(rs, 2));
                }
                return Collections.unmodifiableMap(out);
            }
        });
    }

    /** A trial's curve, train before val, by step. */
    public synchronized List<CurvePoint> curve(long trialId) {
        return tx(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT step, split, loss, accuracy FROM curve WHERE trial_id = ? ORDER BY split, step")) {
                ps.setLong(1, trialId);
                List<CurvePoint> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new CurvePoint(rs.getInt(1), rs.getString(2), dbl(rs, 3), dbl(rs, 4)));
                }
                return List.copyOf(out);
            }
        });
    }

    private long insertTrial(NewTrial t, String status, Long cachedFrom) throws SQLException {
        Architecture a = t.architecture();
        try (PreparedStatement ps = conn.prepareStatement("""
                INSERT INTO trial (search_id, ordinal, generation, parent_trial_id, fingerprint, architecture, summary,
                                   task_key, recipe_key, seed, device, status, cached_from_trial_id, started_at, recipe)
                VALUES (?, ?, ?, ?, ?, ? FORMAT JSON, ?, ?, ?, ?, ?, ?, ?, ?, ? FORMAT JSON)""", Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, t.searchId());
            ps.setInt(2, t.ordinal());
            ps.setInt(3, t.generation());
            setLongOrNull(ps, 4, t.parentTrialId());
            ps.setString(5, a.fingerprint());
            ps.setString(6, a.canonicalJson());
            ps.setString(7, t.summary());
            ps.setString(8, t.taskKey());
            ps.setString(9, t.recipeKey());
            ps.setLong(10, t.seed());
            ps.setString(11, t.device());
            ps.setString(12, status);
            setLongOrNull(ps, 13, cachedFrom);
            ps.setObject(14, now());
            ps.setString(15, t.recipeJson());
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    private void insertComponents(long trialId, Architecture a) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO trial_component (trial_id, layer, slot, component_id, params) VALUES (?, ?, ?, ?, ? FORMAT JSON)")) {
            for (int i = 0; i < a.layers().size(); i++) {
                LayerSpec l = a.layers().get(i);
                addComponent(ps, trialId, i, "token_mixer", l.tokenMixer());
                addComponent(ps, trialId, i, "channel_mixer", l.channelMixer());
                addComponent(ps, trialId, i, "norm", l.norm());
                addComponent(ps, trialId, i, "residual", l.residual());
            }
            addComponent(ps, trialId, -1, "final_norm", a.finalNorm());
            ps.executeBatch();
        }
    }

    private static void addComponent(PreparedStatement ps, long trialId, int layer, String slot, ComponentRef ref) throws SQLException {
        ps.setLong(1, trialId);
        ps.setInt(2, layer);
        ps.setString(3, slot);
        ps.setString(4, ref.id());
        ps.setString(5, json(ref.params().asMap()));
        ps.addBatch();
    }

    private void copyRows(String sql, long to, long from) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, to);
            ps.setLong(2, from);
            ps.executeUpdate();
        }
    }

    private static List<TrialSummary> trialSummaries(PreparedStatement ps) throws SQLException {
        List<TrialSummary> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TrialSummary(rs.getLong("id"), rs.getLong("search_id"), rs.getInt("ordinal"),
                        rs.getInt("generation"), rs.getString("fingerprint"), rs.getString("summary"),
                        rs.getString("status"), dbl(rs, "val_loss"), dbl(rs, "val_accuracy"), rs.getLong("params"),
                        dbl(rs, "train_seconds"), rs.getString("error")));
            }
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ ad-hoc SQL

    /**
     * Runs ad-hoc SQL as the read-only user {@value #READER_USER}, on a connection of its own to
     * the same URL. H2 itself refuses anything but reading: INSERT, UPDATE, DELETE, DDL, file
     * functions ({@code CSVWRITE}, {@code FILE_WRITE}, ...), {@code SHUTDOWN} and the like. At
     * most {@value #MAX_QUERY_ROWS} rows come back.
     *
     * @throws IllegalArgumentException with a one-line message: {@code results sql is read-only:
     *     ...} for a refused statement, {@code results sql failed: ...} for any other SQL error
     */
    public QueryResult readOnlyQuery(String sql) {
        Objects.requireNonNull(sql, "sql");
        synchronized (this) {
            checkOpen();
            try {
                ensureReader();
            } catch (SQLException e) {
                rollbackQuietly();
                throw new IllegalStateException("results database " + url + ": " + h2Message(e), e);
            }
        }
        try (Connection r = DriverManager.getConnection(url, READER_USER, READER_PASSWORD)) {
            r.setReadOnly(true);
            r.setAutoCommit(false);
            try (Statement st = r.createStatement()) {
                st.setMaxRows(MAX_QUERY_ROWS + 1);
                st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                if (!st.execute(sql)) {
                    return new QueryResult(List.of(), List.of(), false);
                }
                try (ResultSet rs = st.getResultSet()) {
                    return readAll(rs);
                }
            } finally {
                r.rollback();
            }
        } catch (SQLException e) {
            String msg = h2Message(e);
            if (REFUSED_CODES.contains(e.getErrorCode())) {
                throw new IllegalArgumentException("results sql is read-only: " + msg, e);
            }
            throw new IllegalArgumentException("results sql failed: " + msg, e);
        }
    }

    private static QueryResult readAll(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) columns.add(md.getColumnLabel(i));
        List<List<Object>> rows = new ArrayList<>();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == MAX_QUERY_ROWS) {
                truncated = true;
                break;
            }
            Object[] row = new Object[n];
            for (int i = 1; i <= n; i++) row[i - 1] = plain(rs, md, i);
            rows.add(Collections.unmodifiableList(Arrays.asList(row)));
        }
        return new QueryResult(columns, rows, truncated);
    }

    /** A column value as null, Boolean, Number or String. */
    private static Object plain(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        String typeName = md.getColumnTypeName(i);
        int type = md.getColumnType(i);
        if ("JSON".equalsIgnoreCase(typeName) || type == Types.CLOB || type == Types.NCLOB) {
            return rs.getString(i);
        }
        Object v = rs.getObject(i);
        return switch (v) {
            case null -> null;
            case Boolean b -> b;
            case Double d -> Double.isFinite(d) ? d : null;
            case Float f -> Float.isFinite(f) ? f.doubleValue() : null;
            case Number num -> num;
            case String s -> s;
            case byte[] bytes -> "X'" + HexFormat.of().formatHex(bytes) + "'";
            case Clob clob -> clob.getSubString(1, (int) Math.min(Integer.MAX_VALUE, clob.length()));
            case Array array -> Arrays.stream((Object[]) array.getArray()).map(o -> o == null ? null : o.toString()).toList().toString();
            case java.sql.Timestamp ts -> ts.toInstant().toString();
            case TemporalAccessor t -> t.toString();
            default -> v.toString();
        };
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Reading work on the store's own connection, for the readers of this package ({@link ResultsReader}). */
    @FunctionalInterface
    interface ConnectionWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction on the admin connection (it must only read). */
    synchronized <T> T withConnection(ConnectionWork<T> work) {
        return tx(() -> work.run(conn));
    }

    /**
     * Runs {@code work} in one transaction on the admin connection. Callers hold the monitor.
     *
     * <p>With {@code AUTO_SERVER=TRUE} the first process to open the file serves it to the others.
     * When that process exits (a dashboard or {@code strata results} opened the file before this
     * search did), this connection breaks and its transaction is lost: it is then opened again
     * (this process now serves the file) and the whole transaction runs once more.
     */
    private <T> T tx(SqlWork<T> work) {
        checkOpen();
        try {
            return txOnce(work);
        } catch (SQLException e) {
            if (!CONNECTION_LOST.contains(e.getErrorCode())) {
                throw new IllegalStateException("results database " + url + ": " + h2Message(e), e);
            }
            try {
                closeQuietly(conn);
                conn = DriverManager.getConnection(url, ADMIN_USER, ADMIN_PASSWORD);
                conn.setAutoCommit(false);
                return txOnce(work);
            } catch (SQLException again) {
                throw new IllegalStateException("results database " + url + ": " + h2Message(again), again);
            }
        }
    }

    private <T> T txOnce(SqlWork<T> work) throws SQLException {
        try {
            T result = work.run();
            conn.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        } catch (RuntimeException | Error e) {
            rollbackQuietly();
            throw e;
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("results store " + url + " is closed");
    }

    private void rollbackQuietly() {
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) throw new SQLException("no generated id");
            return keys.getLong(1);
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static double dbl(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static double dbl(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || !Double.isFinite(v)) ps.setNull(i, Types.DOUBLE);
        else ps.setDouble(i, v);
    }

    private static void setLongOrNull(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    private static String clip(String s) {
        return s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS - 3) + "...";
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** H2's message without the SQL statement and error code, on one line. */
    static String h2Message(SQLException e) {
        String m = e instanceof org.h2.jdbc.JdbcException h2 ? h2.getOriginalMessage() : e.getMessage();
        if (m == null) m = e.getClass().getSimpleName();
        int sqlPart = m.indexOf("; SQL statement:");
        if (sqlPart >= 0) m = m.substring(0, sqlPart);
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do
        }
    }

    /** Closes the admin connection; the database file closes when no connection is left. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        rollbackQuietly();
        closeQuietly(conn);
    }
}
