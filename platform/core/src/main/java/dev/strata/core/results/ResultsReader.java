package dev.strata.core.results;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The questions the results commands ask of a {@link ResultsStore}: one trial or search in full,
 * metric values for objectives, statistics per component, search progress, and every trial for
 * export. Read only; each method is one transaction on the store's connection.
 *
 * <p>"Finished" trials are those with results: within one search its {@code ok} and {@code cached}
 * trials; across all searches ({@code searchId == null}) the {@code ok} ones, since a cached trial
 * copies a result that is already there (as {@link ResultsStore#top} does).
 */
public final class ResultsReader {

    private static final String TRIAL_COLUMNS = """
            id, search_id, ordinal, generation, parent_trial_id, cached_from_trial_id, fingerprint, architecture, summary,
            task_key, recipe_key, recipe, seed, device, status, error, component_versions, started_at, finished_at, rung,
            val_loss, val_accuracy, params, train_seconds""";

    private final ResultsStore store;

    public ResultsReader(ResultsStore store) {
        this.store = store;
    }

    // ------------------------------------------------------------------ trials and searches

    public Optional<TrialRecord> trial(long id) {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TRIAL_COLUMNS + " FROM trial WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(trialRecord(rs)) : Optional.empty();
                }
            }
        });
    }

    /** @throws IllegalArgumentException {@code no trial with id N} */
    public TrialRecord requireTrial(long id) {
        return trial(id).orElseThrow(() -> new IllegalArgumentException("no trial with id " + id + " (see 'strata results top')"));
    }

    public Optional<SearchRecord> search(long id) {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, name, space_file, space_yaml, seed, strategy, task_key, recipe_key, budget, device, status,
                           objectives, constraints, started_at, finished_at
                    FROM search WHERE id = ?""")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new SearchRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9), rs.getString(10),
                            rs.getString(11), rs.getString(12), rs.getString(13), instant(rs, 14), instant(rs, 15)));
                }
            }
        });
    }

    /** @throws IllegalArgumentException {@code no search with id N} */
    public SearchRecord requireSearch(long id) {
        return search(id).orElseThrow(() -> new IllegalArgumentException("no search with id " + id + " (see 'strata results searches')"));
    }

    /** The most recent search, if any. */
    public Optional<Long> latestSearchId() {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(id) FROM search"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(id);
            }
        });
    }

    /** Trials by id (those that exist), in the order asked. */
    public List<TrialRecord> trials(Collection<Long> ids) {
        if (ids.isEmpty()) return List.of();
        return store.withConnection(c -> {
            Map<Long, TrialRecord> byId = new HashMap<>();
            List<Long> all = List.copyOf(ids);
            for (int from = 0; from < all.size(); from += 500) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement("SELECT " + TRIAL_COLUMNS + " FROM trial WHERE id IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) ps.setLong(i + 1, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            TrialRecord t = trialRecord(rs);
                            byId.put(t.id(), t);
                        }
                    }
                }
            }
            List<TrialRecord> out = new ArrayList<>();
            for (Long id : ids) if (byId.containsKey(id)) out.add(byId.get(id));
            return out;
        });
    }

    /** Every trial of a search (or of all searches), any status, in id order. */
    public List<TrialRecord> allTrials(Long searchId) {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TRIAL_COLUMNS + " FROM trial"
                    + (searchId == null ? "" : " WHERE search_id = ?") + " ORDER BY id")) {
                if (searchId != null) ps.setLong(1, searchId);
                List<TrialRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(trialRecord(rs));
                }
                return out;
            }
        });
    }

    // ------------------------------------------------------------------ metrics

    /** Names of the metrics finished trials of the search (or of all searches) have. */
    public Set<String> metricNames(Long searchId) {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT m.name FROM trial t JOIN metric m ON m.trial_id = t.id WHERE "
                    + finished(searchId))) {
                if (searchId != null) ps.setLong(1, searchId);
                Set<String> out = new TreeSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
                return out;
            }
        });
    }

    /** Metrics the trial table keeps a copy of: read from its row, not the metric table. */
    private static final List<String> COPIED = List.of("val_loss", "val_accuracy", "params", "train_seconds");

    /**
     * The values of {@code names} for every finished trial of the search (or of all searches):
     * trial id to one value per name, in the order of {@code names}, NaN where the trial lacks it.
     * Ordered by trial id. The four metrics the trial row copies come from it; others from the
     * metric table.
     */
    public Map<Long, double[]> metricValues(Long searchId, List<String> names) {
        if (names.isEmpty()) return Map.of();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) index.put(names.get(i), i);
        List<String> others = names.stream().filter(n -> !COPIED.contains(n)).toList();
        return store.withConnection(c -> {
            TreeMap<Long, double[]> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, " + String.join(", ", COPIED) + " FROM trial t WHERE " + finished(searchId))) {
                if (searchId != null) ps.setLong(1, searchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double[] v = new double[names.size()];
                        java.util.Arrays.fill(v, Double.NaN);
                        for (int i = 0; i < COPIED.size(); i++) {
                            Integer at = index.get(COPIED.get(i));
                            if (at == null) continue;
                            double x = rs.getDouble(i + 2);
                            if (!rs.wasNull()) v[at] = x;
                        }
                        out.put(rs.getLong(1), v);
                    }
                }
            }
            if (others.isEmpty() || out.isEmpty()) return out;
            // The metric rows of the finished trials' id range, by primary key (trial_id, name): a join
            // would look each trial's rows up one by one.
            String marks = String.join(",", java.util.Collections.nCopies(others.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT m.trial_id, m.name, m.metric_value FROM metric m WHERE m.trial_id BETWEEN ? AND ? AND m.name IN (" + marks + ")")) {
                ps.setLong(1, out.firstKey());
                ps.setLong(2, out.lastKey());
                int i = 3;
                for (String n : others) ps.setString(i++, n);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double[] v = out.get(rs.getLong(1));
                        double value = rs.getDouble(3);
                        if (v != null && !rs.wasNull()) v[index.get(rs.getString(2))] = value;
                    }
                }
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ components

    /**
     * Per kind (slot) and component: finished trials using it (once per trial, in any layer), mean
     * and best validation loss, mean parameter count; by kind, then mean validation loss. The
     * {@code component_stats} view, computed here so that the search filter applies before the work.
     */
    public List<ComponentStat> componentStats(Long searchId) {
        Map<String, double[]> acc = new LinkedHashMap<>(); // kind \0 component -> count, loss sum, best, params sum, params count
        forEachComponentUse(searchId, (kind, component, trialId, valLoss, params) -> {
            double[] a = acc.computeIfAbsent(kind + '\0' + component, k -> new double[] {0, 0, Double.POSITIVE_INFINITY, 0, 0});
            a[0]++;
            a[1] += valLoss;
            a[2] = Math.min(a[2], valLoss);
            if (params > 0) {
                a[3] += params;
                a[4]++;
            }
        });
        List<ComponentStat> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            String[] key = e.getKey().split("\0", 2);
            double[] a = e.getValue();
            out.add(new ComponentStat(key[0], key[1], (int) a[0], a[1] / a[0], a[2], a[4] > 0 ? a[3] / a[4] : Double.NaN));
        }
        out.sort(java.util.Comparator.comparing(ComponentStat::kind, ResultsReader::compareKinds)
                .thenComparingDouble(ComponentStat::meanValLoss).thenComparing(ComponentStat::component));
        return out;
    }

    /** The validation loss of every finished trial by each component it uses (once per trial), for distribution plots. */
    public List<ComponentValue> componentValues(Long searchId) {
        List<ComponentValue> out = new ArrayList<>();
        forEachComponentUse(searchId, (kind, component, trialId, valLoss, params) -> out.add(new ComponentValue(kind, component, trialId, valLoss)));
        return out;
    }

    /**
     * Statistics of one component in one kind (slot).
     *
     * @param meanParams NaN when no trial recorded a parameter count
     */
    public record ComponentStat(String kind, String component, int trials, double meanValLoss, double bestValLoss, double meanParams) {}

    /** One finished trial's validation loss, listed under one component it uses. */
    public record ComponentValue(String kind, String component, long trialId, double valLoss) {}

    @FunctionalInterface
    private interface ComponentUse {
        void accept(String kind, String component, long trialId, double valLoss, long params);
    }

    /**
     * Reads the finished trials (validation loss, parameter count), then the component rows of their
     * id range by primary key, and hands each (trial, kind, component) once to the sink. Two plain
     * scans: a join would look up each trial's components one by one.
     */
    private void forEachComponentUse(Long searchId, ComponentUse sink) {
        store.withConnection(c -> {
            Map<Long, double[]> trials = new HashMap<>();
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, val_loss, params FROM trial t WHERE " + finished(searchId)
                    + " AND t.val_loss IS NOT NULL")) {
                if (searchId != null) ps.setLong(1, searchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        trials.put(id, new double[] {rs.getDouble(2), rs.getLong(3)});
                        lo = Math.min(lo, id);
                        hi = Math.max(hi, id);
                    }
                }
            }
            if (trials.isEmpty()) return null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT trial_id, slot, component_id FROM trial_component WHERE trial_id BETWEEN ? AND ? ORDER BY trial_id")) {
                ps.setLong(1, lo);
                ps.setLong(2, hi);
                long current = Long.MIN_VALUE;
                double[] trial = null;
                Set<String> seen = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        if (id != current) {
                            current = id;
                            trial = trials.get(id);
                            seen.clear();
                        }
                        if (trial == null) continue;
                        String kind = rs.getString(2);
                        String component = rs.getString(3);
                        if (seen.add(kind + '\0' + component)) sink.accept(kind, component, id, trial[0], (long) trial[1]);
                    }
                }
            }
            return null;
        });
    }

    /** Slots in model order: token mixer, channel mixer, norm, residual, final norm; unknown ones after. */
    static int compareKinds(String a, String b) {
        List<String> order = List.of("token_mixer", "channel_mixer", "norm", "residual", "final_norm");
        int ia = order.indexOf(a);
        int ib = order.indexOf(b);
        if (ia < 0) ia = order.size();
        if (ib < 0) ib = order.size();
        return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
    }

    // ------------------------------------------------------------------ progress

    /**
     * One trial in the order the search started them.
     *
     * @param valLoss NaN unless the trial finished with a validation loss
     * @param secondsSinceStart when the trial finished, counted from the search's start; NaN while running
     */
    public record ProgressPoint(long trialId, int ordinal, String status, double valLoss, double secondsSinceStart) {}

    /** Every trial of the search by ordinal, with when it finished. */
    public List<ProgressPoint> progress(long searchId) {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT t.id, t.ordinal, t.status, t.val_loss, t.finished_at, s.started_at
                    FROM trial t JOIN search s ON s.id = t.search_id
                    WHERE t.search_id = ? ORDER BY t.ordinal, t.id""")) {
                ps.setLong(1, searchId);
                List<ProgressPoint> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double loss = rs.getDouble(4);
                        if (rs.wasNull()) loss = Double.NaN;
                        Instant end = instant(rs, 5);
                        Instant start = instant(rs, 6);
                        double seconds = end == null || start == null ? Double.NaN : (end.toEpochMilli() - start.toEpochMilli()) / 1000.0;
                        String status = rs.getString(3);
                        out.add(new ProgressPoint(rs.getLong(1), rs.getInt(2), status,
                                "ok".equals(status) || "cached".equals(status) ? loss : Double.NaN, seconds));
                    }
                }
                return out;
            }
        });
    }

    // ------------------------------------------------------------------ export

    /** Every metric of every trial of the search (or all searches): trial id to name to value (NaN if not finite). */
    public Map<Long, Map<String, Double>> allMetrics(Long searchId) {
        return store.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT m.trial_id, m.name, m.metric_value FROM metric m"
                    + (searchId == null ? "" : " JOIN trial t ON t.id = m.trial_id WHERE t.search_id = ?"))) {
                if (searchId != null) ps.setLong(1, searchId);
                Map<Long, Map<String, Double>> out = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double v = rs.getDouble(3);
                        out.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>()).put(rs.getString(2), rs.wasNull() ? Double.NaN : v);
                    }
                }
                return out;
            }
        });
    }

    // ------------------------------------------------------------------ plumbing

    /** WHERE clause of finished trials, for a table aliased {@code t}; one parameter when searchId is set. */
    private static String finished(Long searchId) {
        return searchId == null
                ? "(t.status = 'ok' OR (t.status = 'cached' AND t.cached_from_trial_id IS NULL))"
                : "t.search_id = ? AND t.status IN ('ok', 'cached')";
    }

    private static TrialRecord trialRecord(ResultSet rs) throws SQLException {
        long parent = rs.getLong("parent_trial_id");
        Long parentId = rs.wasNull() ? null : parent;
        long cached = rs.getLong("cached_from_trial_id");
        Long cachedFrom = rs.wasNull() ? null : cached;
        return new TrialRecord(rs.getLong("id"), rs.getLong("search_id"), rs.getInt("ordinal"), rs.getInt("generation"),
                parentId, cachedFrom, rs.getString("fingerprint"), rs.getString("architecture"), rs.getString("summary"),
                rs.getString("task_key"), rs.getString("recipe_key"), rs.getString("recipe"), rs.getLong("seed"),
                rs.getString("device"), rs.getString("status"), rs.getString("error"), rs.getString("component_versions"),
                instant(rs, "started_at"), instant(rs, "finished_at"), rs.getInt("rung"), dbl(rs, "val_loss"),
                dbl(rs, "val_accuracy"), rs.getLong("params"), dbl(rs, "train_seconds"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static double dbl(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }
}
