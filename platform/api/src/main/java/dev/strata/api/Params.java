package dev.strata.api;

import java.util.Collections;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * The resolved parameter values of one component instance: every dimension present, defaults
 * filled in and validated by the platform before {@code build} is called. Immutable, sorted by
 * name so its text form is canonical.
 */
public final class Params {

    private static final Params EMPTY = new Params(Map.of());

    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Params of(Map<String, ?> values) {
        return values.isEmpty() ? EMPTY : new Params(Map.copyOf(values));
    }

    public static Params empty() {
        return EMPTY;
    }

    /** Values by name, sorted. */
    public Map<String, Object> asMap() {
        return values;
    }

    public int getInt(String name) {
        return ((Number) require(name)).intValue();
    }

    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    public String getString(String name) {
        return require(name).toString();
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException("no parameter '" + name + "' (have " + values.keySet() + ")");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
