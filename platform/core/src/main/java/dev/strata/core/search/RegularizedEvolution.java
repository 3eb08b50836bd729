package dev.strata.core.search;

import dev.strata.core.space.StrategyConfig;
import io.jenetics.Genotype;
import io.jenetics.IntegerGene;
import io.jenetics.TournamentSelector;
import io.jenetics.engine.Engine;
import io.jenetics.util.Factory;
import io.jenetics.util.RandomRegistry;
import java.util.Random;

/**
 * Regularized (aging) evolution, Real et al. 2019, "Regularized Evolution for Image Classifier
 * Architecture Search", on the Jenetics engine: the population starts as random candidates;
 * each generation a tournament of {@code tournament} individuals picks each parent, the parent's
 * one-gene mutation (always a new candidate) joins the population, and the oldest leave.
 *
 * <p>{@code childrenPerGeneration} children are made at once so that many workers train in
 * parallel; with one it is the textbook steady-state algorithm.
 */
final class RegularizedEvolution {

    private final StrategyConfig config;
    private final int childrenPerGeneration;

    RegularizedEvolution(StrategyConfig config, int childrenPerGeneration) {
        this.config = config;
        this.childrenPerGeneration = Math.max(1, Math.min(childrenPerGeneration, config.population() - 1));
    }

    /** Runs until the evaluator says the budget is spent. Deterministic in {@code seed}. */
    void run(CandidateEvaluator evaluator, SeenCandidates seen, long seed) {
        RandomRegistry.with(new Random(seed)).run(() -> {
            Factory<Genotype<IntegerGene>> novel = () -> seen.novelRandom(RandomRegistry.random());
            Engine<IntegerGene, Double> engine = new Engine.Builder<>(evaluator, novel)
                    .minimizing()
                    .populationSize(config.population())
                    .offspringSize(childrenPerGeneration)
                    .offspringSelector(new TournamentSelector<>(config.tournament()))
                    .survivorsSelector(new YoungestSurvivors<>())
                    .alterers(new NovelMutator(seen))
                    // One thread: candidate order must not depend on scheduling.
                    .executor(Runnable::run)
                    .build();
            engine.stream().limit(r -> !evaluator.done()).forEach(r -> { });
        });
    }
}
