package dev.strata.core.space;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A position in a parsed YAML document that knows its key path and line, so every complaint about
 * a value can say exactly where it is. Built on SnakeYAML's node tree, which keeps line numbers
 * (a Jackson tree does not).
 */
final class YamlCursor {

    private final Node node;
    private final String path;
    private final Path file;

    private YamlCursor(Node node, String path, Path file) {
        this.node = node;
        this.path = path;
        this.file = file;
    }

    /** Parses YAML text; malformed YAML becomes a SpaceException with the line of the problem. */
    static YamlCursor parse(String text, Path file) {
        try {
            Node root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
            if (root == null) {
                throw new SpaceException(file, 1, null, "the file is empty");
            }
            return new YamlCursor(root, "", file);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new SpaceException(file, line, null, "malformed YAML: " + problem);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new SpaceException(file, 0, null, "malformed YAML: " + e.getMessage());
        }
    }

    static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SpaceException(file, 0, null, "no such file");
        } catch (IOException e) {
            throw new SpaceException(file, 0, null, "cannot read: " + e.getMessage());
        }
    }

    int line() {
        return node.getStartMark().getLine() + 1;
    }

    String path() {
        return path;
    }

    SpaceException error(String reason) {
        return new SpaceException(file, line(), path, reason);
    }

    boolean isMap() {
        return node instanceof MappingNode;
    }

    boolean isList() {
        return node instanceof SequenceNode;
    }

    boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /** Entries of a mapping in document order; a duplicate key is an error. */
    Map<String, YamlCursor> entries() {
        if (!(node instanceof MappingNode map)) {
            throw error("expected a mapping (key: value), got " + describe());
        }
        Map<String, YamlCursor> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new YamlCursor(t.getKeyNode(), path, file).error("keys must be plain names");
            }
            String key = k.getValue();
            String childPath = path.isEmpty() ? key : path + "." + key;
            if (out.put(key, new YamlCursor(t.getValueNode(), childPath, file)) != null) {
                throw new YamlCursor(k, childPath, file).error("duplicate key");
            }
        }
        return out;
    }

    /** Refuses keys outside {@code allowed}: a typo must not be silently ignored. */
    Map<String, YamlCursor> entriesOnly(Collection<String> allowed) {
        Map<String, YamlCursor> e = entries();
        for (Map.Entry<String, YamlCursor> entry : e.entrySet()) {
            if (!allowed.contains(entry.getKey())) {
                throw entry.getValue().keyError("unknown key (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return e;
    }

    private SpaceException keyError(String reason) {
        return new SpaceException(file, line(), path, reason);
    }

    List<YamlCursor> items() {
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list, got " + describe());
        }
        List<YamlCursor> out = new ArrayList<>();
        List<Node> values = seq.getValue();
        for (int i = 0; i < values.size(); i++) {
            out.add(new YamlCursor(values.get(i), path + "[" + i + "]", file));
        }
        return out;
    }

    /** A list's items, or this value alone when it is a scalar ({@code 64} reads like {@code [64]}). */
    List<YamlCursor> itemsOrSelf() {
        return isList() ? items() : List.of(this);
    }

    /** The scalar as Integer, Double, Boolean or String, by YAML's implicit type. */
    Object scalar() {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value, got " + describe());
        }
        Tag tag = s.getTag();
        String v = s.getValue();
        try {
            if (Tag.INT.equals(tag)) {
                long l = Long.parseLong(v.replace("_", ""));
                return l == (int) l ? (Object) (int) l : (Object) (double) l;
            }
            if (Tag.FLOAT.equals(tag)) return Double.parseDouble(v.replace("_", ""));
            if (Tag.BOOL.equals(tag)) return Boolean.parseBoolean(v);
            if (Tag.NULL.equals(tag)) return null;
        } catch (NumberFormatException e) {
            throw error("'" + v + "' is not a number");
        }
        // YAML 1.1 reads 1e-3 as a string; accept it as the number a user means.
        try {
            if (v.matches("[-+]?[0-9.]+[eE][-+]?[0-9]+")) return Double.parseDouble(v);
        } catch (NumberFormatException ignored) {
            // falls through to text
        }
        return v;
    }

    String asText() {
        Object v = scalar();
        if (v == null) throw error("a value is required");
        return v.toString();
    }

    int asInt() {
        Object v = scalar();
        if (v instanceof Integer i) return i;
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) return d.intValue();
        throw error("'" + v + "' is not an integer");
    }

    long asLong() {
        Object v = scalar();
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.longValue();
        throw error("'" + v + "' is not an integer");
    }

    /** An integer scalar as an exact long: seeds use all 63 bits, which {@link #scalar()} would round through a double. */
    long asExactLong() {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value, got " + describe());
        }
        try {
            return Long.parseLong(s.getValue().strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw error("'" + s.getValue() + "' is not an integer");
        }
    }

    double asDouble() {
        Object v = scalar();
        if (v instanceof Number n) return n.doubleValue();
        throw error("'" + v + "' is not a number");
    }

    boolean asBoolean() {
        Object v = scalar();
        if (v instanceof Boolean b) return b;
        throw error("'" + v + "' is not true or false");
    }

    private String describe() {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode q -> "a list";
            case ScalarNode s -> "'" + s.getValue() + "'";
            default -> node.getNodeId().toString();
        };
    }
}
