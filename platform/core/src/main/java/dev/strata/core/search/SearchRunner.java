package dev.strata.core.search;

import dev.strata.core.genome.Genome;
import dev.strata.core.genome.GenomeDomain;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.WeightStore;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.strategy.Strategies;
import dev.strata.core.strategy.Strategy;
import dev.strata.core.training.TrialResult;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs one search: records it, drives the space's strategy with {@link AsyncSearch} (every
 * worker kept busy), and closes the record with the best trial. {@link #resume} continues a search
 * whose orchestrator died. The space must already be validated.
 */
public final class SearchRunner {

    private final ResultsStore store;
    private final TrialLauncher launcher;
    private final int parallelism;
    private final String device;
    private boolean useCache = true;

    /**
     * @param parallelism how many trials run at once (the number of workers)
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
        TrialKeys keys = TrialKeys.of(space);
        long searchId = store.createSearch(new NewSearch(space.name(), space.file().toString(), space.yaml(), space.seed(),
                space.strategy().name(), keys.taskKey(), keys.recipeKey(), space.budgetTrials(), device));
        store.recordObjectives(searchId, space.objectives().objectivesText(), space.objectives().constraintsText());
        List<ResultsStore.JournalEntry> twin = useCache
                ? store.findTwinSearch(space.yaml(), space.seed()).map(store::journal).orElse(null) : null;
        return drive(space, searchId, listener, null, twin);
    }

    /**
     * Continues search {@code searchId}, whose space {@code space} was rebuilt from the text the
     * search stored: no finished trial is trained again, the trials that were running are, and the
     * search ends as the uninterrupted one would have.
     */
    public SearchOutcome resume(SearchSpace space, long searchId, SearchListener listener) {
        store.reopenSearch(searchId);
        return drive(space, searchId, listener, store.journal(searchId), null);
    }

    /**
     * @param journal this search's own journal when resuming, else null
     * @param twin the journal of an earlier identical search (same space text and seed) to follow, or null
     */
    private SearchOutcome drive(SearchSpace space, long searchId, SearchListener listener, List<ResultsStore.JournalEntry> journal,
            List<ResultsStore.JournalEntry> twin) {
        long started = System.nanoTime();
        Genome genome = Genome.of(space);
        GenomeDomain domain = new GenomeDomain(genome);
        WeightStore weights = WeightStore.of(store); // each trial saves its weights beside the database
        Trials trials = new Trials(space, store, searchId, r -> launcher.launch(weights.attach(searchId, r)), listener, device, useCache);
        Strategy strategy = space.strategy().isGrid() ? new GridOrder(domain)
                : Strategies.create(space.strategy(), domain, new SplittableRandom(space.seed()));
        AsyncSearch search = new AsyncSearch(space, strategy, domain, trials, parallelism);
        try {
            if (journal != null) search.resume(journal, this::recordedResult);
            else if (twin != null) search.follow(twin);
            else search.run();
        } catch (RuntimeException | Error e) {
            store.finishSearch(searchId, "failed", trials.bestTrialId() < 0 ? null : trials.bestTrialId());
            throw e;
        }
        Long best = trials.bestTrialId() < 0 ? null : trials.bestTrialId();
        store.finishSearch(searchId, "finished", best);
        weights.prune(searchId, WeightStore.KEEP);
        return new SearchOutcome(searchId, trials.started(), trials.failed(), trials.bestTrialId(), trials.best(),
                trials.proposed(), genome.size(), Duration.ofNanos(System.nanoTime() - started), trials.cacheHits(),
                trials.earlyStop(), trials.stoppedEarly(), trials.stepsSaved(), trials.stepsPlanned());
    }

    /** A finished trial's result as recorded (for a cached trial, the copied metrics). */
    private TrialResult recordedResult(long trialId) {
        String status = store.trial(trialId).orElseThrow().status();
        boolean ok = "ok".equals(status) || "cached".equals(status);
        return new TrialResult(trialId, ok, ok ? null : "failed", store.metrics(trialId), store.curve(trialId), java.util.Map.of());
    }
}
