package dev.strata.core.results;

/**
 * Thrown by {@link ResultsStore#openExisting(String)} when there is no database to read: nothing
 * has been recorded there yet. The message is one line, fit for a command-line user.
 */
public final class NoResultsDatabaseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String location;

    public NoResultsDatabaseException(String location) {
        super("no results database at " + location + ": run a search first");
        this.location = location;
    }

    /** The path (or URL) that has no database. */
    public String location() {
        return location;
    }
}
