package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;
import dev.strata.core.strategy.Proposal;
import dev.strata.core.strategy.Score;
import dev.strata.core.strategy.Strategies;
import dev.strata.core.strategy.Strategy;
import java.util.SplittableRandom;

/** One seeded run of the space's strategy against its table, one evaluation at a time. */
public final class Replay {

    /**
     * @param reachedAt evaluations until the first within {@code gap} of the table's best, -1 if never
     */
    public record Result(String strategy, long seed, int evaluations, int infeasible, String bestArch, double bestValue,
            double tableBest, int reachedAt) {}

    private Replay() {}

    public static Result run(TabularSpace space, double gap) {
        return run(space, new TableOracle.Lookup(space), space.seed(), gap);
    }

    public static Result run(TabularSpace space, TableOracle.Lookup lookup, long seed, double gap) {
        Strategy strategy = Strategies.create(space.strategy(), lookup.space(), new SplittableRandom(seed));
        TableOracle oracle = new TableOracle(lookup, space.budget(), gap);
        while (!oracle.done()) {
            Proposal p = strategy.propose();
            if (p == null) break; // nothing new left to propose
            strategy.tell(p.genes(), Score.of(oracle.evaluate(p.genes())));
        }
        return new Result(strategy.name(), seed, oracle.evaluations(), oracle.infeasible(), oracle.bestKey(), oracle.bestValue(),
                lookup.best(), oracle.reachedAt());
    }
}
