package dev.strata.core.search;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.genome.Candidate;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.space.Objectives;
import dev.strata.core.space.RecipeSpace;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.strategy.Score;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.MedianStopping;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * The trials of one search, whatever the strategy: starts a candidate (records it, sends it to the
 * launcher, or answers it from an earlier search's identical trial: the cross-search cache),
 * records results, scores them against the search's objectives and constraints, and keeps the
 * best trial: the lowest validation loss among the trials of the highest rung reached that meet
 * every constraint.
 *
 * <p>Early stopping ({@code fidelity.early_stop}, with {@code val_loss} minimised among the
 * objectives): when a trial starts, the median stopping rule's thresholds are computed from the
 * validation curves of this search's trials of the same rung and recipe (the task is the search's)
 * that were told before it was planned, and sent with the request. Only the told order decides
 * which results count, so a resumed search (and a search that follows its twin) gives every trial
 * the thresholds it had the first time.
 *
 * <p>Every method must be called from the one thread that drives the search: all database writes
 * happen there.
 */
final class Trials {

    /**
     * A trial sent to the launcher, or answered from the results database.
     *
     * @param genes the candidate's canonical genotype
     * @param rung its fidelity rung (0 unless the search has rungs)
     * @param cached true when a finished trial of an earlier search answered it: nothing was trained
     *     and there is no result to record
     */
    record Running(int[] genes, String key, int rung, long trialId, CompletableFuture<TrialResult> result, boolean cached) {}

    private final SearchSpace space;
    private final ResultsStore store;
    private final long searchId;
    private final TrialLauncher launcher;
    private final SearchListener listener;
    private final TrialKeys keys;
    private final String device;
    private final boolean useCache;
    private final Objectives objectives;
    private final boolean earlyStop;
    /** Early stopping: validation curves of the trials told so far, by rung and recipe key. */
    private final Map<String, List<List<CurvePoint>>> toldCurves = new HashMap<>();
    /** Early stopping: the thresholds each trial was planned with (kept for a resumed trial's relaunch). */
    private final Map<Long, SortedMap<Integer, Double>> thresholds = new HashMap<>();

    private final List<Candidate> proposed = new ArrayList<>();
    private final Map<Long, Candidate> candidates = new HashMap<>();
    private int started;
    private int finished;
    private int failed;
    private int cacheHits;
    private int bestRung = -1;
    private double best = Double.POSITIVE_INFINITY;
    private long bestTrialId = -1;
    private int stoppedEarly;
    private long stepsSaved;
    private long stepsPlanned;

    Trials(SearchSpace space, ResultsStore store, long searchId, TrialLauncher launcher, SearchListener listener, String device,
            boolean useCache) {
        this.space = space;
        this.store = store;
        this.searchId = searchId;
        this.launcher = launcher;
        this.listener = listener;
        this.keys = TrialKeys.of(space);
        this.device = device;
        this.useCache = useCache;
        this.objectives = space.objectives();
        this.earlyStop = earlyStopping(space);
    }

    /**
     * Whether the search stops hopeless trials early: {@code fidelity.early_stop} and validation
     * loss (minimised) among the objectives. With other objectives only, it is off: the rule judges
     * validation loss alone.
     */
    static boolean earlyStopping(SearchSpace space) {
        return space.fidelity().earlyStop()
                && space.objectives().objectives().stream().anyMatch(o -> o.metric().equals("val_loss") && !o.maximize());
    }

    /**
     * Records the candidate as the next trial and sends it to the launcher, unless an earlier search
     * trained it already: then the trial is recorded as {@code cached}, with that trial's results.
     *
     * @param generation 0 for a random candidate, else its parent's generation + 1
     * @param toldBefore results the strategy had been told when it proposed this trial (for resume)
     */
    Running start(int[] genes, Candidate c, int rung, int generation, Long parentTrialId, int toldBefore) {
        started++;
        proposed.add(c);
        Architecture arch = c.architecture();
        long seed = keys.trialSeed(arch.fingerprint());
        String recipeKey = keys.recipeKey(c.recipe());
        NewTrial trial = new NewTrial(searchId, started, generation, parentTrialId, arch,
                keys.taskKey(), recipeKey, seed, device, keys.recipeJson(c.recipe()), summary(c, rung));
        SortedMap<Integer, Double> stops = stopThresholds(rung, recipeKey);
        Optional<TrialSummary> earlier = useCache ? reusable(arch.fingerprint(), recipeKey, c.recipe().steps(), stops) : Optional.empty();
        if (earlier.isPresent()) {
            TrialSummary source = earlier.get();
            long trialId = store.recordCachedTrial(trial, source.id());
            store.recordSchedule(trialId, rung, toldBefore);
            candidates.put(trialId, c);
            cacheHits++;
            listener.trialStarted(started, trialId, arch);
            TrialResult copy = new TrialResult(trialId, true, null, store.metrics(source.id()), store.curve(source.id()), Map.of());
            return new Running(genes, c.key(), rung, trialId, CompletableFuture.completedFuture(copy), true);
        }
        long trialId = store.startTrial(trial, rung, toldBefore);
        candidates.put(trialId, c);
        thresholds.put(trialId, stops);
        listener.trialStarted(started, trialId, arch);
        return new Running(genes, c.key(), rung, trialId, launch(trialId, c), false);
    }

    /** Resume: a trial already recorded, finished or not; nothing is written. */
    Running adopt(int[] genes, Candidate c, int rung, long trialId, boolean cached, TrialResult result) {
        started++;
        proposed.add(c);
        candidates.put(trialId, c);
        thresholds.put(trialId, stopThresholds(rung, keys.recipeKey(c.recipe())));
        if (cached) cacheHits++;
        return new Running(genes, c.key(), rung, trialId, result == null ? null : CompletableFuture.completedFuture(result), cached);
    }

    /** Resume: trains again a trial that was running when the search stopped, under the same id. */
    Running relaunch(Running r) {
        store.restartTrial(r.trialId());
        Candidate c = candidates.get(r.trialId());
        listener.trialStarted(started, r.trialId(), c.architecture());
        return new Running(r.genes(), r.key(), r.rung(), r.trialId(), launch(r.trialId(), c), false);
    }

    /**
     * The cross-search cache: an earlier finished trial with this fingerprint, task and recipe that
     * answers this one exactly, i.e. one whose result training would reproduce. Training is
     * deterministic, so this is a question about early stopping only. A trial stopped early is a
     * consequence of the thresholds of its own search (its peers so far), so it is reused only
     * where replaying its recorded validation curve against this trial's thresholds stops it at the
     * same step; a full trial is reused only where that replay does not stop it. So a stopped result
     * never answers a trial that would train fully (a search without early stopping always trains
     * fully), a full result never answers a trial that would have stopped, and a search run again
     * with the same space and seed still trains nothing. (The alternative, a different cache key for
     * early-stopping searches, would let a trial stopped by one search's peers answer another's.)
     */
    private Optional<TrialSummary> reusable(String fingerprint, String recipeKey, int steps, Map<Integer, Double> stops) {
        for (TrialSummary s : store.findFinishedCandidates(fingerprint, keys.taskKey(), recipeKey, 10)) {
            Double at = store.metrics(s.id()).get(MedianStopping.STOPPED_AT_STEP);
            int stoppedAt = at == null || !Double.isFinite(at) ? -1 : (int) Math.round(at);
            if (stoppedAt < 0 && stops.isEmpty()) return Optional.of(s);
            if (MedianStopping.replay(store.curve(s.id()), stops, steps) == stoppedAt) return Optional.of(s);
        }
        return Optional.empty();
    }

    /** Early-stopping thresholds for a trial planned now: from the trials told so far of its rung and recipe. */
    private SortedMap<Integer, Double> stopThresholds(int rung, String recipeKey) {
        if (!earlyStop) return Collections.emptySortedMap();
        return MedianStopping.thresholds(toldCurves.getOrDefault(rung + " " + recipeKey, List.of()));
    }

    private CompletableFuture<TrialResult> launch(long trialId, Candidate c) {
        try {
            return launcher.launch(new TrialRequest(trialId, c.architecture(), keys.task(), c.recipe(), keys.trialSeed(c.architecture().fingerprint()))
                    .withStopThresholds(thresholds.get(trialId)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for a trial's result (a launcher error becomes a failed result). */
    static TrialResult await(Running r) {
        try {
            return r.result().join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return TrialResult.failed(r.trialId(), "could not run: " + cause);
        }
    }

    /**
     * Records a result (unless the trial was cached or {@code alreadyRecorded}), the position at
     * which it is told to the strategy, and returns its score.
     */
    Score finish(Running r, TrialResult result, int toldOrder, boolean alreadyRecorded) {
        if (!alreadyRecorded) {
            if (r.cached()) {
                store.recordToldOrder(r.trialId(), toldOrder);
            } else {
                store.finishTrial(r.trialId(), result, toldOrder);
            }
        }
        Score score = score(result);
        if (score.isInfeasible()) failed++;
        if (result.ok()) {
            Candidate c = candidates.get(r.trialId());
            if (earlyStop && result.curve() != null) {
                List<CurvePoint> val = result.curve().stream().filter(p -> p.split().equals("val")).toList();
                toldCurves.computeIfAbsent(r.rung() + " " + keys.recipeKey(c.recipe()), k -> new ArrayList<>()).add(val);
            }
            if (!r.cached()) {
                int steps = c.recipe().steps();
                stepsPlanned += steps;
                double at = result.metric(MedianStopping.STOPPED_AT_STEP);
                if (Double.isFinite(at) && at < steps) {
                    stoppedEarly++;
                    stepsSaved += steps - Math.round(at);
                }
            }
        }
        double loss = result.ok() ? result.metric("val_loss") : Double.NaN;
        boolean eligible = Double.isFinite(loss) && score.meetsConstraints();
        if (eligible && (r.rung() > bestRung || (r.rung() == bestRung && loss < best))) {
            bestRung = r.rung();
            best = loss;
            bestTrialId = r.trialId();
        }
        if (!alreadyRecorded) listener.trialFinished(++finished, r.trialId(), result, best);
        else finished++;
        return score;
    }

    /** A result against the search's objectives and constraints; infeasible when it failed or lacks an objective. */
    Score score(TrialResult result) {
        if (!result.ok()) return Score.infeasible();
        double[] o = objectives.oriented(result.metrics());
        return o == null ? Score.infeasible() : new Score(o, objectives.violation(result.metrics()));
    }

    /** The architecture summary with the rung and the searched recipe values (e.g. {@code lr=0.003}). */
    private String summary(Candidate c, int rung) {
        RecipeSpace recipes = space.recipes();
        StringBuilder b = new StringBuilder(c.architecture().summary());
        Recipe r = c.recipe();
        if (recipes.learningRates().size() > 1) b.append(" lr=").append(r.learningRate());
        if (recipes.weightDecays().size() > 1) b.append(" weight_decay=").append(r.weightDecay());
        if (space.fidelity().rungs() > 1) b.append(" rung=").append(rung).append(" steps=").append(r.steps());
        return b.toString();
    }

    /** The recipe key a trial of this candidate records. */
    String recipeKey(Candidate c) {
        return keys.recipeKey(c.recipe());
    }

    int started() {
        return started;
    }

    int failed() {
        return failed;
    }

    /** Trials this search trained (not answered from the cache) that early stopping stopped. */
    int stoppedEarly() {
        return stoppedEarly;
    }

    /** Optimizer steps early stopping saved: the recipe's steps minus the steps trained, over the stopped trials. */
    long stepsSaved() {
        return stepsSaved;
    }

    /** The recipe steps of every trial this search trained successfully (stopped or not). */
    long stepsPlanned() {
        return stepsPlanned;
    }

    /** Whether this search stops hopeless trials early. */
    boolean earlyStop() {
        return earlyStop;
    }

    /** Trials answered from an earlier search's results instead of trained. */
    int cacheHits() {
        return cacheHits;
    }

    double best() {
        return best;
    }

    /** Trial id of the best trial, or -1 when none succeeded within the constraints. */
    long bestTrialId() {
        return bestTrialId;
    }

    /** The candidates started, in order: the sequence a seed (or the grid order) determines. */
    List<Candidate> proposed() {
        return List.copyOf(proposed);
    }
}
