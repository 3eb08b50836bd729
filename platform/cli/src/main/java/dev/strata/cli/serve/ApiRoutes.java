package dev.strata.cli.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON endpoints, as a fixed table: a path template whose only variable part is a numeric
 * {@code {id}}, the query parameters it accepts (numbers or words from a fixed list), and what it
 * answers. No endpoint takes SQL, a table or a column name.
 */
final class ApiRoutes {

    @FunctionalInterface
    interface Handler {
        ObjectNode answer(DashboardQueries q, long id, QueryParams params) throws SQLException;
    }

    /**
     * One endpoint.
     *
     * @param template e.g. {@code /api/searches/{id}/trials}
     * @param params the query parameters it takes (anything else is a 400)
     * @param description one line for docs/dashboard.md and the index at {@code /api}
     */
    record Route(String template, Set<String> params, String description, Handler handler) {

        List<String> segments() {
            return List.of(template.substring(1).split("/"));
        }
    }

    static final List<Route> ROUTES = List.of(
            new Route("/api/searches", Set.of(), "every search, newest first (at most 500), with trial count and best trial",
                    (q, id, p) -> q.searches()),
            new Route("/api/searches/{id}", Set.of(), "one search with its space YAML, task, recipe, objectives",
                    (q, id, p) -> q.search(id)),
            new Route("/api/searches/{id}/summary", Set.of(), "status, trial counts by status, best trial; 'version' changes when a trial starts or finishes",
                    (q, id, p) -> q.summary(id)),
            new Route("/api/searches/{id}/trials", Set.of("sort", "dir", "offset", "limit"),
                    "one page of trials: sort=ordinal|val_loss, dir=asc|desc, offset>=0, limit 1..200 (default 50)",
                    (q, id, p) -> q.trials(id,
                            DashboardQueries.TrialOrder.of(p.oneOf("sort", "ordinal", List.of("ordinal", "val_loss")),
                                    p.oneOf("dir", "desc", List.of("asc", "desc"))),
                            p.integer("offset", 0, 0, 10_000_000), p.integer("limit", 50, 1, DashboardQueries.MAX_PAGE))),
            new Route("/api/searches/{id}/progress", Set.of(), "finished trials as [ordinal, val_loss, id] (sampled above 2000) and the best-so-far steps",
                    (q, id, p) -> q.progress(id)),
            new Route("/api/searches/{id}/pareto", Set.of(), "the val_loss/params Pareto front with summaries, and the other trials as [params, val_loss, id]",
                    (q, id, p) -> q.pareto(id)),
            new Route("/api/searches/{id}/components", Set.of(), "per slot kind and component: trials, mean and best val_loss, mean params",
                    (q, id, p) -> q.components(id)),
            new Route("/api/trials/{id}", Set.of(), "one trial: columns, metrics, recipe, architecture JSON, component rows",
                    (q, id, p) -> q.trial(id)),
            new Route("/api/trials/{id}/curve", Set.of(), "the trial's curve: train [step, loss], val [step, loss, accuracy] (at most 1000 points each)",
                    (q, id, p) -> q.curve(id)));

    private ApiRoutes() {}

    /** A route and the id in its path. */
    record Match(Route route, long id) {}

    /**
     * The route for a raw request path, with its id parsed.
     *
     * @return empty when no template has this shape
     * @throws ApiError 400 when the shape fits but the id is not a positive whole number
     */
    static Optional<Match> match(String rawPath) {
        String p = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        List<String> segs = List.of(p.substring(1).split("/", -1));
        for (Route r : ROUTES) {
            List<String> tpl = r.segments();
            if (tpl.size() != segs.size()) continue;
            String idText = null;
            boolean fits = true;
            for (int i = 0; i < tpl.size() && fits; i++) {
                if (tpl.get(i).equals("{id}")) idText = segs.get(i);
                else fits = tpl.get(i).equals(segs.get(i));
            }
            if (!fits) continue;
            long id = idText == null ? 0 : Ids.parseId(tpl.get(1).equals("trials") ? "trial" : "search", idText);
            return Optional.of(new Match(r, id));
        }
        return Optional.empty();
    }

    /** {@code GET /api}: the endpoint list, so a user can find them without the docs. */
    static ObjectNode index() {
        ObjectNode out = Json.object();
        var arr = out.putArray("endpoints");
        for (Route r : ROUTES) {
            ObjectNode o = arr.addObject();
            o.put("path", r.template());
            var ps = o.putArray("params");
            r.params().stream().sorted().forEach(ps::add);
            o.put("description", r.description());
        }
        out.put("methods", "GET, HEAD (anything else: 405)");
        return out;
    }
}
