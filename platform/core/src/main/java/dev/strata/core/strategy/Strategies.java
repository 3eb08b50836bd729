package dev.strata.core.strategy;

import dev.strata.core.space.StrategyConfig;
import java.util.random.RandomGenerator;

/** Builds a strategy by name (see {@link StrategyConfig}) over a domain, drawing on {@code random}. */
public final class Strategies {

    private Strategies() {}

    public static Strategy create(StrategyConfig config, Domain domain, RandomGenerator random) {
        return switch (config.name()) {
            case StrategyConfig.GUIDED_EVOLUTION -> new AgingEvolution(config.name(), domain, random, config, true);
            case StrategyConfig.REGULARIZED_EVOLUTION -> new AgingEvolution(config.name(), domain, random, config, false);
            case StrategyConfig.RANDOM -> new RandomSearch(domain, random);
            case StrategyConfig.LOCAL_SEARCH -> new LocalSearch(domain, random);
            case StrategyConfig.NSGA2 -> new Nsga2(domain, random, config.population());
            default -> throw new IllegalArgumentException("strategy '" + config.name() + "' has no ask/tell form (known: "
                    + String.join(", ", StrategyConfig.ADAPTIVE) + ")");
        };
    }
}
