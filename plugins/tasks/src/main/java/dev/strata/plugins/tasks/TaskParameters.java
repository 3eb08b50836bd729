package dev.strata.plugins.tasks;

import dev.strata.api.Dimension;
import dev.strata.api.Params;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A task's parameters checked against its dimensions: defaults filled in, values validated, unknown
 * names refused. Tasks do this themselves (not only the platform) because {@code create} is also
 * called by tests and tools with hand-made {@link Params}.
 */
final class TaskParameters {

    private final String taskId;
    private final Map<String, Object> values;

    private TaskParameters(String taskId, Map<String, Object> values) {
        this.taskId = taskId;
        this.values = values;
    }

    static TaskParameters resolve(String taskId, List<Dimension> dimensions, Params params) {
        Map<String, Dimension> byName = dimensions.stream()
                .collect(Collectors.toMap(Dimension::name, d -> d));
        for (String name : params.asMap().keySet()) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException(taskId + ": unknown parameter '" + name + "' (known: "
                        + String.join(", ", dimensions.stream().map(Dimension::name).toList()) + ")");
            }
        }
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : dimensions) {
            Object raw = params.has(d.name()) ? params.asMap().get(d.name()) : d.defaultValue();
            try {
                values.put(d.name(), d.validate(raw));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(taskId + ": " + e.getMessage(), e);
            }
        }
        return new TaskParameters(taskId, values);
    }

    int integer(String name) {
        return ((Number) values.get(name)).intValue();
    }

    double real(String name) {
        return ((Number) values.get(name)).doubleValue();
    }

    String text(String name) {
        return values.get(name).toString();
    }

    /** An IllegalArgumentException whose one-line message starts with the task id. */
    IllegalArgumentException refuse(String reason) {
        return new IllegalArgumentException(taskId + ": " + reason);
    }
}
