package dev.strata.api;

import java.util.List;
import java.util.Objects;

/**
 * One parameter of a component or task: its name, type, allowed values, default, and the values a
 * search tries when a search space asks to search it without listing values.
 *
 * <p>Values are {@link Integer}, {@link Double} or {@link String}. {@link #validate(Object)} turns a
 * raw value (as read from YAML) into the canonical type or explains in one line why it is refused.
 */
public record Dimension(
        String name,
        Type type,
        String description,
        Object defaultValue,
        Double min,
        Double max,
        List<String> choices,
        List<Object> searchValues) {

    /** Value types. TEXT is free text such as a file path; it is never searched. */
    public enum Type { INT, FLOAT, CHOICE, TEXT }

    public Dimension {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        choices = choices == null ? List.of() : List.copyOf(choices);
        searchValues = searchValues == null ? List.of() : List.copyOf(searchValues);
    }

    /** An integer in {@code [min, max]}; a search tries {@code searchValues} by default. */
    public static Dimension integer(String name, int defaultValue, int min, int max, Integer... searchValues) {
        return new Dimension(name, Type.INT, "", defaultValue, (double) min, (double) max, List.of(),
                List.of((Object[]) (searchValues.length == 0 ? new Integer[] {defaultValue} : searchValues)));
    }

    /** A real number in {@code [min, max]}. */
    public static Dimension real(String name, double defaultValue, double min, double max, Double... searchValues) {
        return new Dimension(name, Type.FLOAT, "", defaultValue, min, max, List.of(),
                List.of((Object[]) (searchValues.length == 0 ? new Double[] {defaultValue} : searchValues)));
    }

    /** One of the listed strings; a search tries all of them by default. */
    public static Dimension choice(String name, String defaultValue, String... choices) {
        return new Dimension(name, Type.CHOICE, "", defaultValue, null, null, List.of(choices), List.of((Object[]) choices));
    }

    /** Free text (a file name, say). */
    public static Dimension text(String name, String defaultValue) {
        return new Dimension(name, Type.TEXT, "", defaultValue, null, null, List.of(), List.of());
    }

    /** The same dimension with a description. */
    public Dimension describe(String text) {
        return new Dimension(name, type, text, defaultValue, min, max, choices, searchValues);
    }

    /**
     * The canonical value for {@code raw}.
     *
     * @throws IllegalArgumentException with a one-line reason naming the dimension and value
     */
    public Object validate(Object raw) {
        if (raw == null) {
            throw new IllegalArgumentException(name + ": a value is required");
        }
        return switch (type) {
            case INT -> {
                if (!(raw instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                    throw new IllegalArgumentException(name + "=" + raw + " is not an integer");
                }
                int v = n.intValue();
                checkRange(v);
                yield v;
            }
            case FLOAT -> {
                if (!(raw instanceof Number n)) {
                    throw new IllegalArgumentException(name + "=" + raw + " is not a number");
                }
                double v = n.doubleValue();
                checkRange(v);
                yield v;
            }
            case CHOICE -> {
                String v = raw.toString();
                if (!choices.contains(v)) {
                    throw new IllegalArgumentException(name + "=" + v + " is not one of " + choices);
                }
                yield v;
            }
            case TEXT -> raw.toString();
        };
    }

    private void checkRange(double v) {
        if ((min != null && v < min) || (max != null && v > max)) {
            throw new IllegalArgumentException(name + "=" + format(v) + " is outside [" + format(min) + ", " + format(max) + "]");
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
