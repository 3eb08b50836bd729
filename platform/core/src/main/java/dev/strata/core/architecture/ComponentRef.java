package dev.strata.core.architecture;

import dev.strata.api.Params;
import java.util.Map;
import java.util.Objects;

/** A component chosen by id with its resolved parameter values. */
public record ComponentRef(String id, Params params) {

    public ComponentRef {
        Objects.requireNonNull(id, "id");
        params = params == null ? Params.empty() : params;
    }

    public static ComponentRef of(String id, Map<String, ?> params) {
        return new ComponentRef(id, Params.of(params));
    }

    public static ComponentRef of(String id) {
        return new ComponentRef(id, Params.empty());
    }

    @Override
    public String toString() {
        return params.asMap().isEmpty() ? id : id + params;
    }
}
