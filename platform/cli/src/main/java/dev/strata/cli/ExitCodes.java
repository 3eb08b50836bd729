package dev.strata.cli;

/** Exit codes of the strata command. */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** The command ran but did not get what was asked (e.g. every trial failed). */
    public static final int FAILED = 1;
    /** Bad input: a malformed file, an unknown id, an out-of-range value, a refused write. */
    public static final int BAD_INPUT = 2;
}
