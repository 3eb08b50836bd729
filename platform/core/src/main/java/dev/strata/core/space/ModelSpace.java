package dev.strata.core.space;

import java.util.List;
import java.util.Map;

/**
 * The model half of a search space: widths, depths, and for each slot the components (with their
 * parameter values) it may hold. Each layer chooses independently, unless {@code uniformLayers}:
 * then one choice per slot and per component parameter is shared by every layer.
 */
public record ModelSpace(List<Integer> dModel, List<Integer> depth, Map<Slot, List<ComponentOption>> slots, boolean uniformLayers) {
    public ModelSpace {
        dModel = List.copyOf(dModel);
        depth = List.copyOf(depth);
        slots = Map.copyOf(slots);
    }

    /** A space whose layers choose independently. */
    public ModelSpace(List<Integer> dModel, List<Integer> depth, Map<Slot, List<ComponentOption>> slots) {
        this(dModel, depth, slots, false);
    }

    public int maxDepth() {
        return depth.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    public List<ComponentOption> options(Slot slot) {
        return slots.get(slot);
    }
}
