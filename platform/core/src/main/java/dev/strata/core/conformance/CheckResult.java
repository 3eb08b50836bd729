package dev.strata.core.conformance;

import java.util.Objects;

/**
 * The outcome of one check on one component variant.
 *
 * @param detail for a failure, what was measured against what was expected; for a pass, the
 *     measurement (e.g. the largest leak); for a skip, why it does not apply
 */
public record CheckResult(Check check, Status status, String detail) {

    public enum Status { PASS, FAIL, SKIP }

    public CheckResult {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
    }

    public static CheckResult pass(Check check, String detail) {
        return new CheckResult(check, Status.PASS, detail);
    }

    public static CheckResult fail(Check check, String detail) {
        return new CheckResult(check, Status.FAIL, detail);
    }

    public static CheckResult skip(Check check, String why) {
        return new CheckResult(check, Status.SKIP, why);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
