package dev.strata.cli.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query string of one request, checked against what the endpoint accepts: an unknown or
 * repeated name is refused (so nothing like {@code ?sql=...} is ever silently ignored or used),
 * numbers are parsed as numbers within bounds and words must be one of a fixed list.
 */
final class QueryParams {

    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param rawQuery the raw (still percent-encoded) query, or null
     * @param allowed the names this endpoint takes
     * @throws ApiError 400 for an unknown, repeated or undecodable parameter
     */
    static QueryParams parse(String rawQuery, Set<String> allowed) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!allowed.contains(name)) {
                    throw ApiError.badRequest("unknown parameter '" + Json.clip(name) + "'"
                            + (allowed.isEmpty() ? ": this endpoint takes none" : ": this endpoint takes " + List.copyOf(new java.util.TreeSet<>(allowed))));
                }
                if (values.put(name, value) != null) throw ApiError.badRequest("parameter '" + name + "' is given twice");
            }
        }
        return new QueryParams(values);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("malformed query string");
        }
    }

    /** A whole number in {@code [min, max]}, or {@code dflt} when absent. */
    int integer(String name, int dflt, int min, int max) {
        String v = values.get(name);
        if (v == null) return dflt;
        int n = Ids.parseInt(name, v);
        if (n < min || n > max) throw ApiError.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
        return n;
    }

    /** One of {@code choices}, or {@code dflt} when absent. */
    String oneOf(String name, String dflt, List<String> choices) {
        String v = values.get(name);
        if (v == null) return dflt;
        if (!choices.contains(v)) throw ApiError.badRequest(name + " must be one of " + choices + ", got '" + Json.clip(v) + "'");
        return v;
    }
}
