package dev.strata.core.conformance;

import dev.strata.api.Params;
import java.util.List;
import java.util.Optional;

/**
 * Every check's result for one component built with one set of parameters.
 *
 * @param variant the parameters it was built with (defaults, or defaults with one search value changed)
 */
public record ComponentReport(String componentId, Params variant, List<CheckResult> results) {

    public ComponentReport {
        results = List.copyOf(results);
    }

    /** True when no check failed (skips are not failures). */
    public boolean passed() {
        return results.stream().noneMatch(CheckResult::failed);
    }

    public Optional<CheckResult> result(Check check) {
        return results.stream().filter(r -> r.check() == check).findFirst();
    }

    /** The failures, one line each: {@code id {params}: check: detail}. */
    public List<String> failures() {
        return results.stream().filter(CheckResult::failed)
                .map(r -> componentId + " " + variant + ": " + r.check().label() + ": " + r.detail())
                .toList();
    }
}
