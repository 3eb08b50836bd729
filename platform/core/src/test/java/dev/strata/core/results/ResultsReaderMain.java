package dev.strata.core.results;

/**
 * Run in a child JVM by {@link ResultsStoreTest}: the CLI's view of a database another process
 * is writing to. Args: JDBC URL, search id.
 */
public final class ResultsReaderMain {

    private ResultsReaderMain() {}

    public static void main(String[] args) {
        long searchId = Long.parseLong(args[1]);
        try (ResultsStore store = ResultsStore.openExisting(args[0])) {
            System.out.println("trials=" + store.trials(searchId).size());
            System.out.println("best=" + store.top(searchId, 1).getFirst().valLoss());
            System.out.println("rows=" + store.readOnlyQuery("SELECT id FROM trial").rows().size());
            try {
                store.readOnlyQuery("DELETE FROM trial");
                System.out.println("NOT refused");
            } catch (IllegalArgumentException e) {
                System.out.println("refused: " + e.getMessage());
            }
        }
    }
}
