package dev.strata.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** JSON for the dashboard's API: one mapper, and SQL values as JSON (NULL and non-finite numbers as null). */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    static ObjectNode error(String message) {
        return object().put("error", message);
    }

    /** A nullable DOUBLE column: null when SQL NULL. */
    static void putDouble(ObjectNode o, String key, ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        if (rs.wasNull() || !Double.isFinite(v)) o.putNull(key);
        else o.put(key, v);
    }

    /** A nullable BIGINT/INT column. */
    static void putLong(ObjectNode o, String key, ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        if (rs.wasNull()) o.putNull(key);
        else o.put(key, v);
    }

    /** A TIMESTAMP WITH TIME ZONE column as ISO-8601 text, or null. */
    static void putTime(ObjectNode o, String key, ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        if (t == null) o.putNull(key);
        else o.put(key, t.toInstant().toString());
    }

    /** A JSON column parsed into the tree (so the page gets an object, not a string), or null. */
    static void putJson(ObjectNode o, String key, ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            o.putNull(key);
            return;
        }
        try {
            o.set(key, MAPPER.readTree(text));
        } catch (JsonProcessingException e) {
            o.put(key, text); // not expected: H2 only stores valid JSON in a JSON column
        }
    }

    /** A finite number or null, for arrays of points. */
    static void addNumber(ArrayNode a, double v) {
        if (Double.isFinite(v)) a.add(v);
        else a.addNull();
    }

    /** Text from a request echoed in an error: at most 40 characters, printable ASCII only. */
    static String clip(String s) {
        if (s == null) return "";
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 37) + "...";
    }
}
