package dev.strata.cli.results;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.core.results.TrialRecord;
import dev.strata.core.training.CurvePoint;
import java.util.List;
import java.util.Map;

/** A trial as a JSON object, the same shape in {@code show}, {@code compare} and {@code export}. */
final class TrialJson {

    private TrialJson() {}

    /** The trial's columns, with architecture, recipe and component versions as nested JSON, and its metrics. */
    static ObjectNode of(TrialRecord t, Map<String, Double> metrics) {
        ObjectNode o = Format.JSON.createObjectNode();
        o.put("id", t.id());
        o.put("search_id", t.searchId());
        o.put("ordinal", t.ordinal());
        o.put("generation", t.generation());
        o.put("rung", t.rung());
        o.put("status", t.status());
        o.put("error", t.error());
        o.put("parent_trial_id", t.parentTrialId());
        o.put("cached_from_trial_id", t.cachedFromTrialId());
        o.put("fingerprint", t.fingerprint());
        o.put("summary", t.summary());
        o.put("task_key", t.taskKey());
        o.put("recipe_key", t.recipeKey());
        o.put("seed", t.seed());
        o.put("device", t.device());
        o.put("started_at", t.startedAt() == null ? null : t.startedAt().toString());
        o.put("finished_at", t.finishedAt() == null ? null : t.finishedAt().toString());
        o.set("architecture", Format.tree(t.architectureJson()));
        o.set("recipe", Format.tree(t.recipeJson()));
        o.set("component_versions", Format.tree(t.componentVersionsJson()));
        ObjectNode m = o.putObject("metrics");
        metrics.forEach((k, v) -> m.put(k, Format.orNull(v)));
        return o;
    }

    static ArrayNode curve(List<CurvePoint> curve) {
        ArrayNode arr = Format.JSON.createArrayNode();
        for (CurvePoint p : curve) {
            ObjectNode c = arr.addObject();
            c.put("step", p.step());
            c.put("split", p.split());
            c.put("loss", Format.orNull(p.loss()));
            c.put("accuracy", Format.orNull(p.accuracy()));
        }
        return arr;
    }
}
