package dev.strata.cli.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every answer of the JSON API. The SQL texts are fixed, with numeric parameters only (no request
 * text ever becomes SQL), and run as the read-only user on a {@link ReaderConnections}
 * connection. Answers about all trials of a search (summary, charts, component statistics, the
 * order of the table) come from its {@link SearchSnapshot}, which is refreshed by primary-key
 * reads of what changed; rows are read by primary key or an index ({@code trial(search_id, ...)},
 * {@code curve(trial_id, split, step)}, the primary keys of {@code metric} and
 * {@code trial_component}). Lists are bounded: a page of at most {@value #MAX_PAGE} trials, at
 * most {@value #MAX_CHART_POINTS} chart points, {@value #MAX_CURVE_POINTS} curve points per split.
 */
final class DashboardQueries {

    /** Searches listed, newest first. */
    static final int MAX_SEARCHES = 500;
    /** Points a chart receives at most (besides the best-so-far steps and the Pareto front). */
    static final int MAX_CHART_POINTS = 2000;
    /** Points per curve split the page receives at most. */
    static final int MAX_CURVE_POINTS = 1000;
    /** Trials in one page of the table at most. */
    static final int MAX_PAGE = 200;

    /** How the trial table may be ordered (by loss: finished trials only, ties by ordinal). */
    enum TrialOrder {
        ORDINAL_DESC("ordinal", "desc"),
        ORDINAL_ASC("ordinal", "asc"),
        VAL_LOSS_ASC("val_loss", "asc"),
        VAL_LOSS_DESC("val_loss", "desc");

        final String sort;
        final String dir;

        TrialOrder(String sort, String dir) {
            this.sort = sort;
            this.dir = dir;
        }

        static TrialOrder of(String sort, String dir) {
            for (TrialOrder o : values()) if (o.sort.equals(sort) && o.dir.equals(dir)) return o;
            throw ApiError.badRequest("cannot sort by " + sort + " " + dir);
        }
    }

    /**
     * A search with its trial count and best trial. The best trial is read from the index
     * (search_id, val_loss) in index order (ties: the lower id), which H2 only does when told to
     * and when the ORDER BY names the index's columns: left to itself it read and sorted every
     * trial of the search (1.3 s for 10,000 trials, against 6 ms).
     */
    private static final String SEARCH_COLUMNS = """
            s.id, s.name, s.strategy, s.seed, s.status, s.budget, s.device, s.started_at, s.finished_at,
            (SELECT COUNT(*) FROM trial t WHERE t.search_id = s.id) AS trials,
            (SELECT t.id FROM trial t USE INDEX (trial_search_val_loss_ix)
              WHERE t.search_id = s.id AND t.status IN ('ok', 'cached') AND t.val_loss IS NOT NULL
              ORDER BY t.search_id, t.val_loss LIMIT 1) AS best_trial_id""";

    private static final String TRIAL_ROW_COLUMNS =
            "id, ordinal, generation, rung, status, val_loss, val_accuracy, params, train_seconds, summary, error, parent_trial_id, cached_from_trial_id";

    private final ReaderConnections db;
    private final SearchSnapshots snapshots;

    DashboardQueries(ReaderConnections db) {
        this.db = db;
        this.snapshots = new SearchSnapshots(db);
    }

    // ------------------------------------------------------------------ searches

    /** {@code {"searches": [...], "more": bool}}: newest first. */
    ObjectNode searches() throws SQLException {
        return db.read(c -> {
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("searches");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + SEARCH_COLUMNS + " FROM search s ORDER BY s.id DESC LIMIT " + (MAX_SEARCHES + 1));
                    ResultSet rs = query(ps)) {
                while (rs.next()) {
                    if (list.size() == MAX_SEARCHES) {
                        out.put("more", true);
                        break;
                    }
                    list.add(searchRow(rs));
                }
            }
            if (!out.has("more")) out.put("more", false);
            addBestLosses(c, list);
            return out;
        });
    }

    /** One search with its space, objectives and keys. */
    ObjectNode search(long id) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SEARCH_COLUMNS + """
                    , s.space_file, s.space_yaml, s.task_key, s.recipe_key, s.objectives, s.constraints
                    FROM search s WHERE s.id = ?""")) {
                ps.setLong(1, id);
                try (ResultSet rs = query(ps)) {
                    if (!rs.next()) throw noSearch(id);
                    ObjectNode o = searchRow(rs);
                    for (String col : List.of("space_file", "space_yaml", "task_key", "recipe_key", "objectives", "constraints")) {
                        o.put(col, rs.getString(col));
                    }
                    ArrayNode one = Json.array().add(o);
                    addBestLosses(c, one);
                    return o;
                }
            }
        });
    }

    private static ObjectNode searchRow(ResultSet rs) throws SQLException {
        ObjectNode o = Json.object();
        o.put("id", rs.getLong("id"));
        o.put("name", rs.getString("name"));
        o.put("strategy", rs.getString("strategy"));
        o.put("seed", rs.getLong("seed"));
        o.put("status", rs.getString("status"));
        o.put("budget", rs.getInt("budget"));
        o.put("device", rs.getString("device"));
        Json.putTime(o, "started_at", rs, "started_at");
        Json.putTime(o, "finished_at", rs, "finished_at");
        o.put("trials", rs.getLong("trials"));
        Json.putLong(o, "best_trial_id", rs, "best_trial_id");
        return o;
    }

    /** Fills best_val_loss of each search from its best trial (one query by primary key). */
    private static void addBestLosses(Connection c, ArrayNode searches) throws SQLException {
        Map<Long, ObjectNode> byBest = new HashMap<>();
        for (var n : searches) {
            ObjectNode o = (ObjectNode) n;
            o.putNull("best_val_loss");
            if (!o.get("best_trial_id").isNull()) byBest.put(o.get("best_trial_id").asLong(), o);
        }
        if (byBest.isEmpty()) return;
        String in = byBest.keySet().stream().map(x -> "?").collect(Collectors.joining(","));
        try (PreparedStatement ps = c.prepareStatement("SELECT id, val_loss FROM trial WHERE id IN (" + in + ")")) {
            int i = 1;
            for (long id : byBest.keySet()) ps.setLong(i++, id);
            try (ResultSet rs = query(ps)) {
                while (rs.next()) Json.putDouble(byBest.get(rs.getLong(1)), "best_val_loss", rs, "val_loss");
            }
        }
    }

    /**
     * What the page polls every second: status and counts of one search. {@code version} changes
     * whenever a trial starts or finishes, so the page refetches the rest only then.
     */
    ObjectNode summary(long id) throws SQLException {
        SearchSnapshot s = snapshots.get(id);
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("status", s.status());
        o.put("budget", s.budget());
        if (s.finishedAt() == null) o.putNull("finished_at");
        else o.put("finished_at", s.finishedAt().toString());
        o.put("trials", s.trials().size());
        for (String k : List.of("ok", "cached", "failed", "running")) o.put(k, s.count(k));
        if (s.trials().isEmpty()) o.putNull("last_ordinal");
        else o.put("last_ordinal", s.trials().getLast().ordinal());
        SearchSnapshot.Trial best = s.best();
        if (best == null) {
            o.putNull("best_trial_id");
            o.putNull("best_val_loss");
        } else {
            o.put("best_trial_id", best.id());
            o.put("best_val_loss", best.valLoss());
        }
        o.put("version", String.join("/", s.status(), o.get("trials").asText(), o.get("ok").asText(),
                o.get("cached").asText(), o.get("failed").asText(), o.get("running").asText()));
        return o;
    }

    // ------------------------------------------------------------------ trials of a search

    /**
     * One page of a search's trials: {@code {"total", "offset", "limit", "sort", "dir", "trials": [...]}}.
     * The order comes from the snapshot; only the page's rows are read, by primary key.
     */
    ObjectNode trials(long searchId, TrialOrder order, int offset, int limit) throws SQLException {
        List<SearchSnapshot.Trial> ordered = snapshots.get(searchId).ordered(order);
        List<Long> ids = ordered.subList(Math.min(offset, ordered.size()), Math.min(ordered.size(), offset + limit))
                .stream().map(SearchSnapshot.Trial::id).toList();
        ObjectNode out = Json.object();
        out.put("total", ordered.size()).put("offset", offset).put("limit", limit).put("sort", order.sort).put("dir", order.dir);
        ArrayNode rows = out.putArray("trials");
        if (ids.isEmpty()) return out;
        Map<Long, ObjectNode> byId = db.read(c -> {
            Map<Long, ObjectNode> m = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TRIAL_ROW_COLUMNS + " FROM trial WHERE id IN ("
                    + ids.stream().map(x -> "?").collect(Collectors.joining(",")) + ")")) {
                for (int i = 0; i < ids.size(); i++) ps.setLong(i + 1, ids.get(i));
                try (ResultSet rs = query(ps)) {
                    while (rs.next()) m.put(rs.getLong("id"), trialRow(rs));
                }
            }
            return m;
        });
        for (long id : ids) {
            ObjectNode o = byId.get(id);
            if (o != null) rows.add(o);
        }
        return out;
    }

    private static ObjectNode trialRow(ResultSet rs) throws SQLException {
        ObjectNode o = Json.object();
        o.put("id", rs.getLong("id"));
        o.put("ordinal", rs.getInt("ordinal"));
        o.put("generation", rs.getInt("generation"));
        o.put("rung", rs.getInt("rung"));
        o.put("status", rs.getString("status"));
        Json.putDouble(o, "val_loss", rs, "val_loss");
        Json.putDouble(o, "val_accuracy", rs, "val_accuracy");
        Json.putLong(o, "params", rs, "params");
        Json.putDouble(o, "train_seconds", rs, "train_seconds");
        o.put("summary", rs.getString("summary"));
        o.put("error", rs.getString("error"));
        Json.putLong(o, "parent_trial_id", rs, "parent_trial_id");
        Json.putLong(o, "cached_from_trial_id", rs, "cached_from_trial_id");
        return o;
    }

    /**
     * The progress chart: every finished trial as {@code [ordinal, val_loss, id]} (a sample keeping
     * each stretch's extremes when there are more than {@value #MAX_CHART_POINTS}), and the
     * best-so-far steps in full.
     */
    ObjectNode progress(long searchId) throws SQLException {
        SearchSnapshot s = snapshots.get(searchId);
        List<TrialPoint> finished = s.byOrdinal();
        List<TrialPoint> shown = ChartData.sample(finished, MAX_CHART_POINTS);
        ObjectNode out = Json.object();
        out.put("trials", s.trials().size()).put("finished", finished.size()).put("failed", s.count("failed"));
        out.put("sampled", shown.size() < finished.size());
        out.set("points", points(shown));
        out.set("best", points(ChartData.bestSoFar(finished)));
        return out;
    }

    /**
     * The Pareto chart (validation loss against parameter count): the front in full, with each
     * front trial's summary, and a sample of the other finished trials as {@code [params, val_loss, id]}.
     */
    ObjectNode pareto(long searchId) throws SQLException {
        List<TrialPoint> all = snapshots.get(searchId).bySize();
        List<TrialPoint> front = ChartData.paretoFront(all);
        Set<Long> frontIds = new HashSet<>();
        front.forEach(p -> frontIds.add(p.id()));
        List<TrialPoint> others = all.stream().filter(p -> !frontIds.contains(p.id())).toList();
        List<TrialPoint> shown = ChartData.sample(others, MAX_CHART_POINTS);

        ObjectNode out = Json.object();
        out.put("finished", all.size()).put("sampled", shown.size() < others.size());
        ArrayNode frontRows = out.putArray("front");
        Map<Long, ObjectNode> byId = new HashMap<>();
        for (TrialPoint p : front) {
            ObjectNode o = frontRows.addObject();
            o.put("id", p.id()).put("params", (long) p.x()).put("val_loss", p.valLoss());
            byId.put(p.id(), o);
        }
        if (!byId.isEmpty()) {
            db.read(c -> {
                addFrontDetails(c, byId);
                return null;
            });
        }
        out.set("others", points(shown));
        return out;
    }

    private static void addFrontDetails(Connection c, Map<Long, ObjectNode> byId) throws SQLException {
        List<Long> ids = new ArrayList<>(byId.keySet());
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String in = chunk.stream().map(x -> "?").collect(Collectors.joining(","));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, ordinal, status, val_accuracy, summary FROM trial WHERE id IN (" + in + ")")) {
                for (int i = 0; i < chunk.size(); i++) ps.setLong(i + 1, chunk.get(i));
                try (ResultSet rs = query(ps)) {
                    while (rs.next()) {
                        ObjectNode o = byId.get(rs.getLong("id"));
                        o.put("ordinal", rs.getInt("ordinal"));
                        o.put("status", rs.getString("status"));
                        Json.putDouble(o, "val_accuracy", rs, "val_accuracy");
                        o.put("summary", rs.getString("summary"));
                    }
                }
            }
        }
    }

    /**
     * Per slot kind and component: trials that use it (once per trial, in any layer), mean and best
     * validation loss, mean parameter count: the numbers of the {@code component_stats} view for
     * one search, from the snapshot (the view joins every trial's component rows on each call).
     */
    ObjectNode components(long searchId) throws SQLException {
        ObjectNode out = Json.object();
        ArrayNode rows = out.putArray("components");
        for (SearchSnapshot.ComponentStat c : snapshots.get(searchId).componentStats()) {
            ObjectNode o = rows.addObject();
            o.put("kind", c.kind());
            o.put("component_id", c.componentId());
            o.put("trials", c.trials());
            o.put("mean_val_loss", c.meanValLoss());
            o.put("best_val_loss", c.bestValLoss());
            if (Double.isNaN(c.meanParams())) o.putNull("mean_params");
            else o.put("mean_params", c.meanParams());
        }
        return out;
    }

    // ------------------------------------------------------------------ one trial

    /** A trial with its metrics, recipe, architecture JSON and component rows. */
    ObjectNode trial(long id) throws SQLException {
        return db.read(c -> {
            ObjectNode o;
            try (PreparedStatement ps = c.prepareStatement("SELECT search_id, " + TRIAL_ROW_COLUMNS + """
                    , fingerprint, task_key, recipe_key, seed, device, started_at, finished_at,
                      architecture, recipe, component_versions
                    FROM trial WHERE id = ?""")) {
                ps.setLong(1, id);
                try (ResultSet rs = query(ps)) {
                    if (!rs.next()) throw noTrial(id);
                    o = trialRow(rs);
                    o.put("search_id", rs.getLong("search_id"));
                    for (String col : List.of("fingerprint", "task_key", "recipe_key", "device")) o.put(col, rs.getString(col));
                    o.put("seed", rs.getLong("seed"));
                    Json.putTime(o, "started_at", rs, "started_at");
                    Json.putTime(o, "finished_at", rs, "finished_at");
                    Json.putJson(o, "architecture", rs, "architecture");
                    Json.putJson(o, "recipe", rs, "recipe");
                    Json.putJson(o, "component_versions", rs, "component_versions");
                }
            }
            ObjectNode metrics = o.putObject("metrics");
            try (PreparedStatement ps = c.prepareStatement("SELECT name, metric_value FROM metric WHERE trial_id = ? ORDER BY name")) {
                ps.setLong(1, id);
                try (ResultSet rs = query(ps)) {
                    while (rs.next()) Json.putDouble(metrics, rs.getString(1), rs, "metric_value");
                }
            }
            ArrayNode comps = o.putArray("components");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT layer, slot, component_id, params FROM trial_component WHERE trial_id = ? ORDER BY layer, slot")) {
                ps.setLong(1, id);
                try (ResultSet rs = query(ps)) {
                    while (rs.next()) {
                        ObjectNode r = comps.addObject();
                        r.put("layer", rs.getInt("layer"));
                        r.put("slot", rs.getString("slot"));
                        r.put("component_id", rs.getString("component_id"));
                        Json.putJson(r, "params", rs, "params");
                    }
                }
            }
            return o;
        });
    }

    /** A trial's curve: {@code {"train": [[step, loss], ...], "val": [[step, loss, accuracy], ...]}}, thinned evenly. */
    ObjectNode curve(long id) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM trial WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = query(ps)) {
                    if (!rs.next()) throw noTrial(id);
                }
            }
            Map<String, List<double[]>> bySplit = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT split, step, loss, accuracy FROM curve WHERE trial_id = ? ORDER BY split, step")) {
                ps.setLong(1, id);
                try (ResultSet rs = query(ps)) {
                    while (rs.next()) {
                        double loss = rs.getDouble(3);
                        if (rs.wasNull()) loss = Double.NaN;
                        double acc = rs.getDouble(4);
                        if (rs.wasNull()) acc = Double.NaN;
                        bySplit.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new double[] {rs.getInt(2), loss, acc});
                    }
                }
            }
            ObjectNode out = Json.object();
            for (String split : List.of("train", "val")) {
                ArrayNode arr = out.putArray(split);
                List<double[]> pts = thin(bySplit.getOrDefault(split, List.of()), MAX_CURVE_POINTS);
                for (double[] p : pts) {
                    ArrayNode a = arr.addArray();
                    a.add((long) p[0]);
                    Json.addNumber(a, p[1]);
                    if (split.equals("val")) Json.addNumber(a, p[2]);
                }
            }
            return out;
        });
    }

    /** Every k-th point, always with the last one, so at most about {@code max} remain. */
    static <T> List<T> thin(List<T> points, int max) {
        if (points.size() <= max) return points;
        int stride = (points.size() + max - 1) / max;
        List<T> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i += stride) out.add(points.get(i));
        if (!out.getLast().equals(points.getLast())) out.add(points.getLast());
        return out;
    }

    // ------------------------------------------------------------------ plumbing

    private static ArrayNode points(List<TrialPoint> points) {
        ArrayNode arr = Json.array();
        for (TrialPoint p : points) {
            ArrayNode a = arr.addArray();
            if (p.x() == Math.rint(p.x())) a.add((long) p.x());
            else a.add(p.x());
            a.add(p.valLoss());
            a.add(p.id());
        }
        return arr;
    }

    static ResultSet query(PreparedStatement ps) throws SQLException {
        ps.setQueryTimeout(ReaderConnections.QUERY_TIMEOUT_SECONDS);
        return ps.executeQuery();
    }

    private static ApiError noSearch(long id) {
        return ApiError.notFound("no search with id " + id);
    }

    private static ApiError noTrial(long id) {
        return ApiError.notFound("no trial with id " + id);
    }
}
