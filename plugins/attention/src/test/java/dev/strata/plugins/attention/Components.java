package dev.strata.plugins.attention;

import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.SequenceComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The components of this module and their parameters, defaults filled in as the platform does. */
final class Components {

    private Components() {}

    static List<SequenceComponent> all() {
        return List.of(new MultiHeadAttentionComponent(), new MultiQueryAttentionComponent(),
                new GroupedQueryAttentionComponent(), new MlkvAttentionComponent(),
                new SlidingWindowAttentionComponent(), new TalkingHeadsAttentionComponent(),
                new PersistentMemoryAttentionComponent(), new QkNormAttentionComponent(),
                new DifferentialAttentionComponent(), new SigmoidAttentionComponent());
    }

    /** The defaults with {@code overrides} on top (name, value, name, value, ...). */
    static Params params(SequenceComponent component, Object... overrides) {
        Map<String, Object> values = new HashMap<>();
        for (Dimension d : component.dimensions()) {
            values.put(d.name(), d.defaultValue());
        }
        for (int i = 0; i < overrides.length; i += 2) {
            if (!values.containsKey((String) overrides[i])) {
                throw new IllegalArgumentException(component.id() + " has no dimension " + overrides[i]);
            }
            values.put((String) overrides[i], overrides[i + 1]);
        }
        return Params.of(values);
    }
}
