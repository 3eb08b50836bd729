package dev.strata.core.plugins;

import dev.strata.api.Component;
import dev.strata.api.ComponentKind;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every component that was discovered, by id. Ids are unique: a duplicate is refused. */
public final class ComponentRegistry {

    private final Map<String, ComponentInfo> byId = new LinkedHashMap<>();

    public ComponentRegistry(List<ComponentInfo> components) {
        List<ComponentInfo> sorted = components.stream()
                .sorted(Comparator.comparing((ComponentInfo c) -> c.component().kind()).thenComparing(ComponentInfo::id))
                .toList();
        for (ComponentInfo c : sorted) {
            ComponentInfo previous = byId.putIfAbsent(c.id(), c);
            if (previous != null) {
                throw new IllegalStateException("component id '" + c.id() + "' is provided twice: by plugin "
                        + previous.pluginId() + " and by plugin " + c.pluginId());
            }
        }
    }

    public Optional<ComponentInfo> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The component with this id, cast to the expected type, or a one-line error. */
    public <T extends Component> T require(String id, Class<T> type) {
        ComponentInfo info = byId.get(id);
        if (info == null) {
            throw new IllegalArgumentException("unknown component '" + id + "'");
        }
        if (!type.isInstance(info.component())) {
            throw new IllegalArgumentException("component '" + id + "' is a " + info.component().kind() + ", not a " + type.getSimpleName());
        }
        return type.cast(info.component());
    }

    public List<ComponentInfo> all() {
        return List.copyOf(byId.values());
    }

    public List<ComponentInfo> ofKind(ComponentKind kind) {
        return byId.values().stream().filter(c -> c.component().kind() == kind).toList();
    }
}
