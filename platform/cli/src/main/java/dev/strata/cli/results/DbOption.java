package dev.strata.cli.results;

import dev.strata.cli.StrataPaths;
import dev.strata.core.results.ResultsStore;
import picocli.CommandLine.Option;

/** The {@code --db} option of the read commands. */
public final class DbOption {

    @Option(names = "--db", paramLabel = "PATH|URL",
            description = "Results database: a file path (with or without .mv.db) or a jdbc: URL"
                    + " (default: STRATA_DB, else results/strata).")
    String db;

    /** The JDBC URL to read from. */
    String url() {
        return ResultsStore.urlFor(db != null && !db.isBlank() ? db : StrataPaths.defaultDatabase());
    }

    /**
     * Opens the database for reading; never creates one.
     *
     * @throws dev.strata.core.results.NoResultsDatabaseException when there is none
     */
    ResultsStore openForReading() {
        return ResultsStore.openForReading(url());
    }
}
