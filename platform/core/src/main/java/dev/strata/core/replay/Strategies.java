package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;

/** Builds a strategy by name, with the space's settings (population, tournament, candidates). */
public final class Strategies {

    private Strategies() {}

    public static Strategy create(TabularSpace.Strategy config) {
        return switch (config.name()) {
            case TabularSpace.GUIDED_EVOLUTION -> new AgingEvolution(config.name(), config.population(), config.tournament(), true, config.candidates());
            case TabularSpace.REGULARIZED_EVOLUTION -> new AgingEvolution(config.name(), config.population(), config.tournament(), false, 1);
            case TabularSpace.RANDOM -> new RandomSearch();
            case TabularSpace.LOCAL_SEARCH -> new LocalSearch();
            default -> throw new IllegalArgumentException("unknown strategy '" + config.name() + "' (known: " + String.join(", ", TabularSpace.STRATEGIES) + ")");
        };
    }
}
