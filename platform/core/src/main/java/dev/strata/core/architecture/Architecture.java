package dev.strata.core.architecture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.api.Params;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A candidate model, as a value: width, layers and final norm. Two architectures are the same
 * model exactly when their canonical JSON is equal, and the SHA-256 of that JSON is the
 * {@link #fingerprint()} the results store deduplicates on.
 *
 * <p>Vocabulary size and sequence length are not part of it: they come from the task.
 */
public record Architecture(int dModel, List<LayerSpec> layers, ComponentRef finalNorm) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Architecture {
        if (dModel <= 0) throw new IllegalArgumentException("d_model must be positive");
        if (layers.isEmpty()) throw new IllegalArgumentException("an architecture needs at least one layer");
        layers = List.copyOf(layers);
    }

    public int depth() {
        return layers.size();
    }

    /**
     * Canonical JSON: fixed field order, parameters sorted by name, no whitespace. Numbers keep
     * their type (an int is written as 4, a double as 4.0), so equal values give equal text.
     */
    public String canonicalJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("d_model", dModel);
        ArrayNode arr = root.putArray("layers");
        for (LayerSpec l : layers) {
            ObjectNode n = arr.addObject();
            n.set("token_mixer", refNode(l.tokenMixer()));
            n.set("channel_mixer", refNode(l.channelMixer()));
            n.set("norm", refNode(l.norm()));
            n.set("residual", refNode(l.residual()));
        }
        root.set("final_norm", refNode(finalNorm));
        return root.toString();
    }

    /** SHA-256 of the canonical JSON, as 64 hex digits. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A short human form, e.g. {@code d64 x2 [attention.mha{heads=4}+mixer.mlp{...}|norm.rms|residual.pre_norm]}. */
    public String summary() {
        String body = layers.stream()
                .map(l -> l.tokenMixer() + "+" + l.channelMixer() + "|" + l.norm().id() + "|" + l.residual().id())
                .collect(Collectors.joining(", "));
        return "d" + dModel + " x" + depth() + " [" + body + "]";
    }

    /** Parses canonical (or any equivalent) JSON written by {@link #canonicalJson()}. */
    public static Architecture fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            List<LayerSpec> layers = new ArrayList<>();
            for (JsonNode n : root.get("layers")) {
                layers.add(new LayerSpec(ref(n.get("token_mixer")), ref(n.get("channel_mixer")), ref(n.get("norm")), ref(n.get("residual"))));
            }
            return new Architecture(root.get("d_model").asInt(), layers, ref(root.get("final_norm")));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an architecture JSON: " + e.getMessage(), e);
        }
    }

    private static ObjectNode refNode(ComponentRef ref) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", ref.id());
        ObjectNode p = n.putObject("params");
        for (Map.Entry<String, Object> e : ref.params().asMap().entrySet()) {
            switch (e.getValue()) {
                case Integer i -> p.put(e.getKey(), i);
                case Long v -> p.put(e.getKey(), v);
                case Double d -> p.put(e.getKey(), d);
                case Float f -> p.put(e.getKey(), f.doubleValue());
                default -> p.put(e.getKey(), e.getValue().toString());
            }
        }
        return n;
    }

    private static ComponentRef ref(JsonNode n) {
        Map<String, Object> params = new LinkedHashMap<>();
        JsonNode p = n.get("params");
        if (p != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = p.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                params.put(e.getKey(), v.isInt() || v.isLong() ? (Object) v.asInt() : v.isNumber() ? (Object) v.asDouble() : v.asText());
            }
        }
        return new ComponentRef(n.get("id").asText(), Params.of(params));
    }
}
