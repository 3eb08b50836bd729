package dev.strata.core.search;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.genome.Candidate;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.RecipeSpace;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The trials of one search, whatever the strategy: starts a candidate (records it, sends it to the
 * launcher), finishes it (records the result, keeps the best) and remembers every candidate's
 * fitness by {@link Candidate#key()}, so nothing is trained twice in a search. Fitness is the
 * validation loss; a failed trial gets +infinity, so it is never chosen and never stops the search.
 *
 * <p>Every method must be called from the one thread that drives the search: all database writes
 * happen there.
 */
final class Trials {

    /** Fitness of a failed or unstarted trial: worse than any loss. */
    static final double FAILED = Double.POSITIVE_INFINITY;

    /**
     * A trial sent to the launcher, or answered from the results database.
     *
     * @param cached true when a finished trial of an earlier search answered it: nothing was trained
     *     and there is no result to record
     */
    record Running(String key, long trialId, CompletableFuture<TrialResult> result, boolean cached) {}

    private final SearchSpace space;
    private final ResultsStore store;
    private final long searchId;
    private final TrialLauncher launcher;
    private final SearchListener listener;
    private final TrialKeys keys;
    private final String device;
    private final boolean useCache;

    /** Candidate key -> fitness of every candidate finished in this search. */
    private final Map<String, Double> fitness = new HashMap<>();
    /** Candidate key -> trial id of every candidate started, for lineage. */
    private final Map<String, Long> trialIds = new HashMap<>();
    private final List<Candidate> proposed = new ArrayList<>();
    private int started;
    private int finished;
    private int failed;
    private int cacheHits;
    private double best = FAILED;
    private long bestTrialId = -1;

    /**
     * @param useCache answer a candidate from the database when an earlier search already trained the
     *     same architecture on the same task with the same recipe (the cross-search cache)
     */
    Trials(SearchSpace space, ResultsStore store, long searchId, TrialLauncher launcher, SearchListener listener, String device,
            boolean useCache) {
        this.useCache = useCache;
        this.space = space;
        this.store = store;
        this.searchId = searchId;
        this.launcher = launcher;
        this.listener = listener;
        this.keys = TrialKeys.of(space);
        this.device = device;
    }

    /** True while fewer trials than the budget have started. */
    boolean budgetLeft() {
        return started < space.budgetTrials();
    }

    /** True when a candidate with this key was started in this search (it may still be running). */
    boolean known(String key) {
        return trialIds.containsKey(key);
    }

    /** Fitness of a finished candidate; {@link #FAILED} for one failed, unfinished or never started. */
    double fitness(String key) {
        return fitness.getOrDefault(key, FAILED);
    }

    /** Trial id of a started candidate, or null. */
    Long trialId(String key) {
        return key == null ? null : trialIds.get(key);
    }

    /**
     * Records the candidate as the next trial and sends it to the launcher, unless an earlier search
     * trained it already: then the trial is recorded as {@code cached}, with that trial's results.
     */
    Running start(Candidate c, int generation, Long parentTrialId) {
        String key = c.key();
        if (known(key)) throw new IllegalStateException("candidate started twice: " + key);
        started++;
        proposed.add(c);
        Architecture arch = c.architecture();
        long seed = keys.trialSeed(arch.fingerprint());
        String recipeKey = keys.recipeKey(c.recipe());
        NewTrial trial = new NewTrial(searchId, started, generation, parentTrialId, arch,
                keys.taskKey(), recipeKey, seed, device, keys.recipeJson(c.recipe()), summary(c));
        Optional<TrialSummary> earlier = useCache ? store.findFinished(arch.fingerprint(), keys.taskKey(), recipeKey) : Optional.empty();
        if (earlier.isPresent()) {
            TrialSummary source = earlier.get();
            long trialId = store.recordCachedTrial(trial, source.id());
            trialIds.put(key, trialId);
            cacheHits++;
            listener.trialStarted(started, trialId, arch);
            Map<String, Double> metrics = new HashMap<>();
            metrics.put("val_loss", source.valLoss());
            metrics.put("val_accuracy", source.valAccuracy());
            TrialResult copy = new TrialResult(trialId, true, null, metrics, List.of(), Map.of());
            return new Running(key, trialId, CompletableFuture.completedFuture(copy), true);
        }
        long trialId = store.startTrial(trial);
        trialIds.put(key, trialId);
        listener.trialStarted(started, trialId, arch);
        CompletableFuture<TrialResult> result;
        try {
            result = launcher.launch(new TrialRequest(trialId, arch, keys.task(), c.recipe(), seed));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return new Running(key, trialId, result, false);
    }

    /** Waits for a trial, records its result and returns its fitness. */
    double finish(Running r) {
        TrialResult result = await(r.result(), r.trialId());
        if (!r.cached()) store.finishTrial(r.trialId(), result);
        double value = result.ok() && Double.isFinite(result.metric("val_loss")) ? result.metric("val_loss") : FAILED;
        if (value == FAILED) failed++;
        fitness.put(r.key(), value);
        if (value < best) {
            best = value;
            bestTrialId = r.trialId();
        }
        listener.trialFinished(++finished, r.trialId(), result, best);
        return value;
    }

    /** The architecture summary, followed by the searched recipe values (e.g. {@code lr=0.003}). */
    private String summary(Candidate c) {
        RecipeSpace recipes = space.recipes();
        StringBuilder b = new StringBuilder(c.architecture().summary());
        Recipe r = c.recipe();
        if (recipes.learningRates().size() > 1) b.append(" lr=").append(r.learningRate());
        if (recipes.weightDecays().size() > 1) b.append(" weight_decay=").append(r.weightDecay());
        return b.toString();
    }

    private static TrialResult await(CompletableFuture<TrialResult> future, long trialId) {
        try {
            return future.join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return TrialResult.failed(trialId, "could not run: " + cause);
        }
    }

    int started() {
        return started;
    }

    int failed() {
        return failed;
    }

    /** Trials answered from an earlier search's results instead of trained. */
    int cacheHits() {
        return cacheHits;
    }

    double best() {
        return best;
    }

    /** Trial id of the best trial, or -1 when none succeeded. */
    long bestTrialId() {
        return bestTrialId;
    }

    /** The candidates started, in order: the sequence a seed (or the grid order) determines. */
    List<Candidate> proposed() {
        return List.copyOf(proposed);
    }
}
