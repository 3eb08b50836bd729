package dev.strata.core.search;

import dev.strata.core.genome.Genome;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.space.SearchSpace;
import java.time.Duration;

/**
 * Runs one search: records it, evolves candidates with the space's strategy, sends each to the
 * launcher, and closes the record with the best trial. The space must already be validated.
 */
public final class SearchRunner {

    private final ResultsStore store;
    private final TrialLauncher launcher;
    private final int parallelism;
    private final String device;

    /**
     * @param parallelism how many trials can run at once (the number of workers): each generation
     *     makes that many children
     * @param device device description stored with the search and its trials
     */
    public SearchRunner(ResultsStore store, TrialLauncher launcher, int parallelism, String device) {
        this.store = store;
        this.launcher = launcher;
        this.parallelism = parallelism;
        this.device = device;
    }

    public SearchOutcome run(SearchSpace space, SearchListener listener) {
        long started = System.nanoTime();
        TrialKeys keys = TrialKeys.of(space);
        long searchId = store.createSearch(new NewSearch(space.name(), space.file().toString(), space.yaml(), space.seed(),
                space.strategy().name(), keys.taskKey(), keys.recipeKey(), space.budgetTrials(), device));
        Genome genome = new Genome(space.model());
        SeenArchitectures seen = new SeenArchitectures(genome);
        CandidateEvaluator evaluator = new CandidateEvaluator(genome, space, seen, store, searchId, launcher, listener, device);
        try {
            new RegularizedEvolution(space.strategy(), parallelism).run(evaluator, seen, space.seed());
        } catch (RuntimeException | Error e) {
            store.finishSearch(searchId, "failed", evaluator.bestTrialId() < 0 ? null : evaluator.bestTrialId());
            throw e;
        }
        Long best = evaluator.bestTrialId() < 0 ? null : evaluator.bestTrialId();
        store.finishSearch(searchId, "finished", best);
        return new SearchOutcome(searchId, evaluator.trained(), evaluator.failed(), evaluator.bestTrialId(), evaluator.best(),
                evaluator.proposed(), Duration.ofNanos(System.nanoTime() - started));
    }
}
