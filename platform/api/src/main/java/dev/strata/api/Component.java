package dev.strata.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * What every architecture component and task has in common: a stable id, a version, what it is,
 * where it comes from, and the dimensions a search may vary.
 *
 * <p>Ids are dotted and stable ({@code attention.gqa}); they are stored in every trial, so renaming
 * one breaks the cache and the history. Bump {@link #version()} when the computation changes.
 */
public interface Component extends ExtensionPoint {

    /** Stable, unique id such as {@code attention.mha}. */
    String id();

    /** Version of this component's computation; recorded with every trial that uses it. */
    String version();

    /** One line: what it does. */
    String description();

    /** The paper (title, year) or source this component implements. */
    String reference();

    /** Which slot of a layer this component can fill. */
    ComponentKind kind();

    /** The component's own search dimensions, each with a default. Empty when it has none. */
    default List<Dimension> dimensions() {
        return List.of();
    }

    /**
     * True if, in causal mode, output at position t never depends on inputs after t. The platform
     * refuses a component that is not causal-safe on a causal task, and the conformance kit checks
     * the claim.
     */
    default boolean causalSafe() {
        return true;
    }

    /** How cost grows with sequence length n, for the catalogue: "O(n)", "O(n^2)", ... */
    default String complexity() {
        return "O(n)";
    }

    /**
     * Caveats a user should read before choosing this component, shown in the generated catalogue
     * ({@code docs/components.md}): for example "trains 4x slower than attention.mha at d 64, n 64
     * on CPU" or "parameters shared with layer 0". Empty when there are none.
     */
    default String notes() {
        return "";
    }
}
