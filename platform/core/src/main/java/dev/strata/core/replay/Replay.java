package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;
import java.util.SplittableRandom;

/** One seeded run of the space's strategy against its table. */
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
        Strategy strategy = Strategies.create(space.strategy());
        TableOracle oracle = new TableOracle(lookup, space.budget(), gap);
        strategy.run(lookup.space(), oracle, new SplittableRandom(seed));
        return new Result(strategy.name(), seed, oracle.evaluations(), oracle.infeasible(), oracle.bestKey(), oracle.bestValue(),
                lookup.best(), oracle.reachedAt());
    }
}
