package dev.strata.core.search;

import dev.strata.core.genome.Genome;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.WeightStore;
import dev.strata.core.space.SearchSpace;
import java.time.Duration;

/**
 * Runs one search: records it, proposes candidates with the space's strategy (regularized
 * evolution on the Jenetics engine, or the grid), sends each to the launcher, and closes the
 * record with the best trial. The space must already be validated.
 */
public final class SearchRunner {

    private final ResultsStore store;
    private final TrialLauncher launcher;
    private final int parallelism;
    private final String device;
    private boolean useCache = true;

    /**
     * @param parallelism how many trials can run at once (the number of workers): each generation
     *     makes that many children; the grid keeps that many in flight
     * @param device device description stored with the search and its trials
     */
    public SearchRunner(ResultsStore store, TrialLauncher launcher, int parallelism, String device) {
        this.store = store;
        this.launcher = launcher;
        this.parallelism = parallelism;
        this.device = device;
    }

    /**
     * Whether a candidate an earlier search trained (same architecture fingerprint, task and recipe,
     * finished ok) is answered from the database instead of trained again. On by default.
     */
    public SearchRunner useCache(boolean use) {
        this.useCache = use;
        return this;
    }

    public SearchOutcome run(SearchSpace space, SearchListener listener) {
        long started = System.nanoTime();
        TrialKeys keys = TrialKeys.of(space);
        long searchId = store.createSearch(new NewSearch(space.name(), space.file().toString(), space.yaml(), space.seed(),
                space.strategy().name(), keys.taskKey(), keys.recipeKey(), space.budgetTrials(), device));
        Genome genome = Genome.of(space);
        WeightStore weights = WeightStore.of(store); // each trial saves its weights beside the database
        Trials trials = new Trials(space, store, searchId, r -> launcher.launch(weights.attach(searchId, r)), listener, device, useCache);
        try {
            if (space.strategy().isGrid()) {
                new GridSearch(parallelism).run(trials, genome);
            } else {
                SeenCandidates seen = new SeenCandidates(genome);
                new RegularizedEvolution(space.strategy(), parallelism).run(new CandidateEvaluator(genome, trials, seen), seen, space.seed());
            }
        } catch (RuntimeException | Error e) {
            store.finishSearch(searchId, "failed", trials.bestTrialId() < 0 ? null : trials.bestTrialId());
            throw e;
        }
        Long best = trials.bestTrialId() < 0 ? null : trials.bestTrialId();
        store.finishSearch(searchId, "finished", best);
        weights.prune(searchId, WeightStore.KEEP);
        return new SearchOutcome(searchId, trials.started(), trials.failed(), trials.bestTrialId(), trials.best(),
                trials.proposed(), genome.size(), Duration.ofNanos(System.nanoTime() - started), trials.cacheHits());
    }
}
