package dev.strata.core.space;

import java.util.List;

/** The values one component parameter may take in a search; a single value means fixed. */
public record ParamChoice(String name, List<Object> values) {
    public ParamChoice {
        values = List.copyOf(values);
        if (values.isEmpty()) throw new IllegalArgumentException(name + ": no values");
    }

    public boolean searched() {
        return values.size() > 1;
    }
}
