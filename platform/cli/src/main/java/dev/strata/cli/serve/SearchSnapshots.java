package dev.strata.cli.serve;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps a {@link SearchSnapshot} of the searches the page looks at, refreshed on demand.
 *
 * <p>The first request for a search reads its trials once (by the {@code trial(search_id,
 * ordinal)} index) and their components (a primary-key range of {@code trial_component}). After
 * that a refresh reads only what can have changed, all by primary key: trials with a higher id
 * than any seen (a search only adds trials), the trials that were still running, and the
 * components of the new ones. A trial row changes after it is written only when it finishes,
 * so this is exact; a count check (index only) reloads everything if trials disappeared, and a
 * running search is reloaded in full now and then as a safety net.
 */
final class SearchSnapshots {

    /** A snapshot younger than this is served as is (one page load asks several endpoints at once). */
    static final long FRESH_MILLIS = 300;
    /** A running search is read in full again after this long. */
    static final long FULL_RELOAD_MILLIS = 60_000;
    /** Searches kept in memory (least recently used go first). */
    static final int CACHED_SEARCHES = 8;

    private static final String LIGHT_COLUMNS = "id, ordinal, status, val_loss, params";

    private final ReaderConnections db;
    private final Map<Long, Cached> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
            return size() > CACHED_SEARCHES;
        }
    };

    /** One search's snapshot and when it was read; its monitor serialises refreshes of that search. */
    private static final class Cached {
        SearchSnapshot snapshot;
        long refreshedAt;
        long fullAt;
    }

    SearchSnapshots(ReaderConnections db) {
        this.db = db;
    }

    /**
     * The search's snapshot, no older than {@link #FRESH_MILLIS}.
     *
     * @throws ApiError 404 when there is no such search
     */
    SearchSnapshot get(long searchId) throws SQLException {
        Cached e;
        synchronized (entries) {
            e = entries.computeIfAbsent(searchId, k -> new Cached());
        }
        synchronized (e) {
            long now = System.currentTimeMillis();
            if (e.snapshot != null && now - e.refreshedAt < FRESH_MILLIS) return e.snapshot;
            try {
                SearchSnapshot old = e.snapshot;
                boolean full = old == null || ("running".equals(old.status()) && now - e.fullAt > FULL_RELOAD_MILLIS);
                e.snapshot = db.read(c -> full ? load(c, searchId) : update(c, old));
                e.refreshedAt = System.currentTimeMillis();
                if (full) e.fullAt = now;
                return e.snapshot;
            } catch (ApiError notFound) {
                synchronized (entries) {
                    entries.remove(searchId);
                }
                throw notFound;
            }
        }
    }

    private static SearchSnapshot load(Connection c, long searchId) throws SQLException {
        Object[] search = searchRow(c, searchId);
        List<SearchSnapshot.Trial> trials = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LIGHT_COLUMNS + " FROM trial WHERE search_id = ? ORDER BY ordinal")) {
            ps.setLong(1, searchId);
            try (ResultSet rs = DashboardQueries.query(ps)) {
                while (rs.next()) trials.add(light(rs, List.of()));
            }
        }
        long maxId = trials.stream().mapToLong(SearchSnapshot.Trial::id).max().orElse(0);
        long minId = trials.stream().mapToLong(SearchSnapshot.Trial::id).min().orElse(1);
        trials = withComponents(c, trials, minId, maxId);
        return new SearchSnapshot(searchId, (String) search[0], (int) search[1], (java.time.Instant) search[2], List.copyOf(trials), maxId);
    }

    private static SearchSnapshot update(Connection c, SearchSnapshot old) throws SQLException {
        long searchId = old.searchId();
        Object[] search = searchRow(c, searchId);
        Map<Long, SearchSnapshot.Trial> byId = new HashMap<>();
        old.trials().forEach(t -> byId.put(t.id(), t));

        List<Long> unfinished = old.trials().stream().filter(t -> t.status().equals("running")).map(SearchSnapshot.Trial::id).toList();
        if (!unfinished.isEmpty()) {
            String in = unfinished.stream().map(x -> "?").collect(Collectors.joining(","));
            try (PreparedStatement ps = c.prepareStatement("SELECT " + LIGHT_COLUMNS + " FROM trial WHERE id IN (" + in + ")")) {
                for (int i = 0; i < unfinished.size(); i++) ps.setLong(i + 1, unfinished.get(i));
                try (ResultSet rs = DashboardQueries.query(ps)) {
                    while (rs.next()) {
                        SearchSnapshot.Trial was = byId.get(rs.getLong(1));
                        byId.put(was.id(), light(rs, was.components()));
                    }
                }
            }
        }
        List<SearchSnapshot.Trial> added = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LIGHT_COLUMNS + " FROM trial WHERE id > ? AND search_id = ? ORDER BY id")) {
            ps.setLong(1, old.maxId());
            ps.setLong(2, searchId);
            try (ResultSet rs = DashboardQueries.query(ps)) {
                while (rs.next()) added.add(light(rs, List.of()));
            }
        }
        long maxId = old.maxId();
        if (!added.isEmpty()) {
            maxId = added.getLast().id();
            for (SearchSnapshot.Trial t : withComponents(c, added, added.getFirst().id(), maxId)) byId.put(t.id(), t);
        }
        long count;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM trial WHERE search_id = ?")) {
            ps.setLong(1, searchId);
            try (ResultSet rs = DashboardQueries.query(ps)) {
                rs.next();
                count = rs.getLong(1);
            }
        }
        if (count != byId.size()) return load(c, searchId); // trials were deleted: read everything again
        List<SearchSnapshot.Trial> trials = new ArrayList<>(byId.values());
        trials.sort(Comparator.comparingInt(SearchSnapshot.Trial::ordinal).thenComparingLong(SearchSnapshot.Trial::id));
        return new SearchSnapshot(searchId, (String) search[0], (int) search[1], (java.time.Instant) search[2], List.copyOf(trials), maxId);
    }

    /** status, budget, finished_at of a search. */
    private static Object[] searchRow(Connection c, long searchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status, budget, finished_at FROM search WHERE id = ?")) {
            ps.setLong(1, searchId);
            try (ResultSet rs = DashboardQueries.query(ps)) {
                if (!rs.next()) throw ApiError.notFound("no search with id " + searchId);
                OffsetDateTime finished = rs.getObject(3, OffsetDateTime.class);
                return new Object[] {rs.getString(1), rs.getInt(2), finished == null ? null : finished.toInstant()};
            }
        }
    }

    private static SearchSnapshot.Trial light(ResultSet rs, List<String> components) throws SQLException {
        double loss = rs.getDouble("val_loss");
        if (rs.wasNull()) loss = Double.NaN;
        long params = rs.getLong("params");
        Long p = rs.wasNull() ? null : params;
        return new SearchSnapshot.Trial(rs.getLong("id"), rs.getInt("ordinal"), rs.getString("status"), loss, p, components);
    }

    /**
     * The trials with their distinct (slot, component) pairs, read as one primary-key range of
     * trial_component (rows of other searches' trials in that range are skipped). A trial and its
     * component rows are written in one transaction, so a visible trial has all of them.
     */
    private static List<SearchSnapshot.Trial> withComponents(Connection c, List<SearchSnapshot.Trial> trials, long minId, long maxId)
            throws SQLException {
        if (trials.isEmpty()) return trials;
        Map<Long, Set<String>> comps = new HashMap<>();
        trials.forEach(t -> comps.put(t.id(), new LinkedHashSet<>()));
        Map<String, String> interned = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT trial_id, slot, component_id FROM trial_component WHERE trial_id BETWEEN ? AND ?")) {
            ps.setLong(1, minId);
            ps.setLong(2, maxId);
            try (ResultSet rs = DashboardQueries.query(ps)) {
                while (rs.next()) {
                    Set<String> set = comps.get(rs.getLong(1));
                    if (set == null) continue;
                    String key = rs.getString(2) + " " + rs.getString(3);
                    set.add(interned.computeIfAbsent(key, k -> k));
                }
            }
        }
        List<SearchSnapshot.Trial> out = new ArrayList<>(trials.size());
        for (SearchSnapshot.Trial t : trials) {
            out.add(new SearchSnapshot.Trial(t.id(), t.ordinal(), t.status(), t.valLoss(), t.params(), List.copyOf(comps.get(t.id()))));
        }
        return out;
    }
}
