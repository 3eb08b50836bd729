package dev.strata.core.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.api.Params;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TaskSpec;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker protocol: one JSON object per line, each with a {@code type}.
 *
 * <pre>
 * orchestrator -> worker   {"type":"trial","trialId":7,"architecture":"{...canonical json...}",
 *                           "task":{"id":"task.copy","params":{"vocab":16},"dataSeed":1,"baseDir":"/x"},
 *                           "recipe":{"steps":300,"batchSize":32,...},"seed":42,
 *                           "weightsFile":"/db/weights/3/7.params",
 *                           "stopThresholds":{"75":2.31,"150":1.87}}   (weightsFile, stopThresholds optional)
 * worker -> orchestrator   {"type":"ready","device":"cpu","threads":2,"pid":1234,"error":null}   (once, first)
 *                          {"type":"progress","trialId":7,"step":100,"loss":1.25}
 *                          {"type":"result","trialId":7,"ok":true,"error":null,"metrics":{...},
 *                           "curve":[{"step":10,"split":"train","loss":2.1,"accuracy":null}],
 *                           "componentVersions":{"attention.mha":"attention@0.1.0/1"}}
 * </pre>
 *
 * <p>Non-finite numbers are written as {@code null} and read back as NaN. The orchestrator closes the
 * worker's stdin to stop it. A {@code ready} message with a non-null {@code error} is a worker that
 * runs but cannot train (its device is missing, say): it fails every trial with that reason.
 */
public final class Protocol {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Protocol() {}

    /** A decoded protocol line. */
    public sealed interface Message permits Trial, Ready, Progress, Result {}

    /** A trial to train (orchestrator to worker). */
    public record Trial(TrialRequest request) implements Message {}

    /** The worker's handshake: which device it trains on, with how many threads, or why it cannot. */
    public record Ready(String device, int threads, long pid, String error) implements Message {}

    /** Mean training loss of a trial so far. */
    public record Progress(long trialId, int step, double loss) implements Message {}

    /** A finished (or failed) trial. */
    public record Result(TrialResult result) implements Message {}

    // ---------------------------------------------------------------------------------------------
    // encoding

    public static String encode(TrialRequest r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "trial");
        n.put("trialId", r.trialId());
        n.put("architecture", r.architecture().canonicalJson());
        ObjectNode task = n.putObject("task");
        task.put("id", r.task().id());
        task.set("params", params(r.task().params()));
        task.put("dataSeed", r.task().dataSeed());
        task.put("baseDir", r.task().baseDir());
        Recipe p = r.recipe();
        ObjectNode recipe = n.putObject("recipe");
        recipe.put("steps", p.steps());
        recipe.put("batchSize", p.batchSize());
        recipe.put("learningRate", p.learningRate());
        recipe.put("weightDecay", p.weightDecay());
        recipe.put("warmupSteps", p.warmupSteps());
        recipe.put("minLrRatio", p.minLrRatio());
        recipe.put("evalEvery", p.evalEvery());
        recipe.put("gradClip", p.gradClip());
        recipe.put("timeLimitSeconds", p.timeLimitSeconds());
        n.put("seed", r.seed());
        if (r.weightsFile() != null) n.put("weightsFile", r.weightsFile());
        if (!r.stopThresholds().isEmpty()) {
            ObjectNode t = n.putObject("stopThresholds");
            r.stopThresholds().forEach((step, loss) -> number(t, Integer.toString(step), loss));
        }
        return write(n);
    }

    public static String encode(TrialResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "result");
        n.put("trialId", r.trialId());
        n.put("ok", r.ok());
        n.put("error", r.error());
        ObjectNode metrics = n.putObject("metrics");
        if (r.metrics() != null) {
            r.metrics().forEach((k, v) -> number(metrics, k, v == null ? Double.NaN : v));
        }
        ArrayNode curve = n.putArray("curve");
        if (r.curve() != null) {
            for (CurvePoint c : r.curve()) {
                ObjectNode p = curve.addObject();
                p.put("step", c.step());
                p.put("split", c.split());
                number(p, "loss", c.loss());
                number(p, "accuracy", c.accuracy());
            }
        }
        ObjectNode versions = n.putObject("componentVersions");
        if (r.componentVersions() != null) {
            r.componentVersions().forEach(versions::put);
        }
        return write(n);
    }

    public static String progress(long trialId, int step, double loss) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "progress");
        n.put("trialId", trialId);
        n.put("step", step);
        number(n, "loss", loss);
        return write(n);
    }

    public static String ready(String device, int threads, String error) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ready");
        n.put("device", device);
        n.put("threads", threads);
        n.put("pid", ProcessHandle.current().pid());
        n.put("error", error);
        return write(n);
    }

    // ---------------------------------------------------------------------------------------------
    // decoding

    /**
     * Decodes one line.
     *
     * @throws IllegalArgumentException with a one-line reason for anything that is not a known message
     */
    public static Message parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON line: " + abbreviate(line));
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + abbreviate(line));
        }
        String type = n.path("type").asText("");
        try {
            return switch (type) {
                case "trial" -> new Trial(decodeRequest(n));
                case "ready" -> new Ready(text(n, "device"), n.path("threads").asInt(0), n.path("pid").asLong(-1), text(n, "error"));
                case "progress" -> new Progress(require(n, "trialId").asLong(), require(n, "step").asInt(), number(n.get("loss")));
                case "result" -> new Result(decodeResult(n));
                default -> throw new IllegalArgumentException("unknown message type '" + type + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed " + (type.isEmpty() ? "message" : type + " message") + ": " + e.getMessage(), e);
        }
    }

    private static TrialRequest decodeRequest(JsonNode n) {
        JsonNode t = require(n, "task");
        TaskSpec task = new TaskSpec(require(t, "id").asText(), params(t.get("params")), require(t, "dataSeed").asLong(), text(t, "baseDir"));
        JsonNode r = require(n, "recipe");
        Recipe recipe = new Recipe(
                require(r, "steps").asInt(),
                require(r, "batchSize").asInt(),
                require(r, "learningRate").asDouble(),
                require(r, "weightDecay").asDouble(),
                require(r, "warmupSteps").asInt(),
                require(r, "minLrRatio").asDouble(),
                require(r, "evalEvery").asInt(),
                require(r, "gradClip").asDouble(),
                require(r, "timeLimitSeconds").asInt());
        Architecture architecture = Architecture.fromJson(require(n, "architecture").asText());
        // stopThresholds came with early stopping; a request without it (an older orchestrator) trains every step.
        java.util.SortedMap<Integer, Double> thresholds = new java.util.TreeMap<>();
        JsonNode stops = n.get("stopThresholds");
        if (stops != null && !stops.isNull()) {
            if (!stops.isObject()) throw new IllegalArgumentException("stopThresholds must be an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = stops.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int step;
                try {
                    step = Integer.parseInt(e.getKey());
                } catch (NumberFormatException x) {
                    throw new IllegalArgumentException("stopThresholds: step '" + e.getKey() + "' is not an integer");
                }
                double loss = number(e.getValue());
                if (!Double.isNaN(loss)) thresholds.put(step, loss);
            }
        }
        return new TrialRequest(require(n, "trialId").asLong(), architecture, task, recipe, require(n, "seed").asLong(),
                text(n, "weightsFile"), thresholds);
    }

    private static TrialResult decodeResult(JsonNode n) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("metrics").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            metrics.put(e.getKey(), number(e.getValue()));
        }
        List<CurvePoint> curve = new ArrayList<>();
        for (JsonNode p : n.path("curve")) {
            curve.add(new CurvePoint(require(p, "step").asInt(), require(p, "split").asText(), number(p.get("loss")), number(p.get("accuracy"))));
        }
        Map<String, String> versions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("componentVersions").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            versions.put(e.getKey(), e.getValue().asText());
        }
        return new TrialResult(require(n, "trialId").asLong(), require(n, "ok").asBoolean(), text(n, "error"), metrics, curve, versions);
    }

    // ---------------------------------------------------------------------------------------------

    private static ObjectNode params(Params params) {
        ObjectNode p = JSON.createObjectNode();
        for (Map.Entry<String, Object> e : params.asMap().entrySet()) {
            switch (e.getValue()) {
                case Integer i -> p.put(e.getKey(), i);
                case Long v -> p.put(e.getKey(), v);
                case Double d -> p.put(e.getKey(), d);
                case Float f -> p.put(e.getKey(), f.doubleValue());
                case Boolean b -> p.put(e.getKey(), b);
                default -> p.put(e.getKey(), e.getValue().toString());
            }
        }
        return p;
    }

    private static Params params(JsonNode node) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (node != null && !node.isNull()) {
            if (!node.isObject()) throw new IllegalArgumentException("params must be an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                Object value;
                if (v.isInt()) value = v.intValue();
                else if (v.isIntegralNumber()) value = v.longValue();
                else if (v.isNumber()) value = v.doubleValue();
                else if (v.isBoolean()) value = v.booleanValue();
                else value = v.asText();
                values.put(e.getKey(), value);
            }
        }
        return Params.of(values);
    }

    private static void number(ObjectNode n, String field, double value) {
        if (Double.isFinite(value)) n.put(field, value);
        else n.putNull(field);
    }

    private static double number(JsonNode v) {
        return v == null || v.isNull() || !v.isNumber() ? Double.NaN : v.doubleValue();
    }

    private static JsonNode require(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing '" + field + "'");
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static String abbreviate(String s) {
        if (s == null) return "null";
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
