package dev.strata.core.results;

import java.util.List;

/**
 * The answer of {@link ResultsStore#readOnlyQuery(String)}: column labels as H2 reports them
 * (unquoted identifiers come back upper case) and rows of plain values: null, Boolean, a Number,
 * or a String (timestamps as ISO-8601 text, JSON columns as JSON text).
 *
 * @param truncated true when the query had more than {@link ResultsStore#MAX_QUERY_ROWS} rows and
 *     only the first ones are here
 */
public record QueryResult(List<String> columns, List<List<Object>> rows, boolean truncated) {

    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows); // the inner lists may hold nulls and are already unmodifiable
    }

    public QueryResult(List<String> columns, List<List<Object>> rows) {
        this(columns, rows, false);
    }
}
