package dev.strata.core.space;

import java.util.List;

/**
 * A component a slot may choose, with the values each of its parameters may take. Every declared
 * dimension of the component is present: unmentioned ones are fixed at their defaults.
 */
public record ComponentOption(String id, List<ParamChoice> params) {
    public ComponentOption {
        params = List.copyOf(params);
    }
}
