package dev.strata.core.strategy;

/**
 * A search strategy in ask/tell form, so that one loop drives it whether fitness comes from a
 * table at once or from worker processes minutes later, several at a time: the loop asks for a
 * proposal whenever an evaluator is free and tells each result as it arrives. With one evaluator
 * the calls alternate and the strategy is its textbook sequential self.
 *
 * <p>All randomness comes from the generator the strategy was built with, and a strategy's state
 * depends only on the sequence of calls, so replaying the same calls (after a crash, say)
 * rebuilds the same state.
 */
public interface Strategy {

    String name();

    /** The next candidate to evaluate, or null when the strategy has nothing new to propose. */
    Proposal propose();

    /** The result of an earlier proposal (results may arrive in any order). */
    void tell(int[] genes, Score score);
}
