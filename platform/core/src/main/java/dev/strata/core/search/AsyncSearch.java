package dev.strata.core.search;

import dev.strata.core.genome.Candidate;
import dev.strata.core.genome.GenomeDomain;
import dev.strata.core.results.ResultsStore.JournalEntry;
import dev.strata.core.space.Fidelity;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.strategy.Proposal;
import dev.strata.core.strategy.Score;
import dev.strata.core.strategy.Strategy;
import dev.strata.core.training.TrialResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongFunction;

/**
 * The search loop: keeps every worker busy. Whenever fewer than {@code workers} trials are in
 * flight it plans the next one: first a promotion (successive halving, when the space has
 * fidelity rungs), else a new candidate from the strategy; whenever a result arrives it is
 * recorded and told to the strategy at once. Nobody waits for the slowest trial of a generation.
 *
 * <p>The loop is deterministic in the order of its events: which trial was planned after how
 * many results, and the order results were told. Both are recorded with each trial
 * ({@code told_before}, {@code told_order}), so {@link #resume} replays a crashed search's events
 * exactly, rebuilding the strategy and the rungs, retrains only the trials that were running, and
 * goes on as the uninterrupted search would have.
 *
 * <p>A candidate the strategy proposes again (the textbook strategy may) is answered from this
 * search's results without a trial; the budget counts new candidates. Promotions are extra
 * trials on top of the budget.
 */
final class AsyncSearch {

    /** Repeated proposals in a row after which the strategy is considered out of new ideas. */
    private static final int MAX_REPEATS = 200;

    private record Rung0(int[] genes, long trialId, int generation) {}

    /** A result of one rung, for promotion. */
    private record RungResult(int[] genes, String key, long trialId, Score score, double valLoss, int generation) {}

    private final Strategy strategy;
    private final GenomeDomain domain;
    private final Trials trials;
    private final int workers;
    private final int budget;
    private final Fidelity fidelity;
    private final boolean multiObjective;

    /** Candidate key (rung 0) -> its trial, for lineage and repeats. */
    private final Map<String, Rung0> rung0 = new HashMap<>();
    /** Candidate key -> rung-0 score, once told. */
    private final Map<String, Score> told0 = new HashMap<>();
    private final List<List<RungResult>> rungResults = new ArrayList<>();
    private final List<java.util.Set<String>> promoted = new ArrayList<>();
    private final Map<Long, Trials.Running> inFlight = new LinkedHashMap<>();
    private final BlockingQueue<Trials.Running> arrived = new LinkedBlockingQueue<>();
    private int told;
    private int newCandidates;
    private boolean exhausted;

    AsyncSearch(SearchSpace space, Strategy strategy, GenomeDomain domain, Trials trials, int workers) {
        this.strategy = strategy;
        this.domain = domain;
        this.trials = trials;
        this.workers = Math.max(1, workers);
        this.budget = space.budgetTrials();
        this.fidelity = space.fidelity();
        this.multiObjective = space.objectives().multi();
        for (int r = 0; r < fidelity.rungs(); r++) {
            rungResults.add(new ArrayList<>());
            promoted.add(new java.util.HashSet<>());
        }
    }

    /** What to run next. */
    private record Plan(int[] genes, int rung, Long parentTrialId, int generation) {}

    void run() {
        fill();
        drain();
    }

    /**
     * Continues a search from its journal: replays the recorded plans and results in their
     * recorded order (checking each plan against the trial recorded for it), then trains again the
     * trials that were running, and goes on.
     *
     * @param results the recorded result of a finished trial
     */
    void resume(List<JournalEntry> journal, LongFunction<TrialResult> results) {
        Deque<JournalEntry> toTell = new ArrayDeque<>(journal.stream().filter(e -> e.toldOrder() != null)
                .sorted(Comparator.comparing(JournalEntry::toldOrder)).toList());
        List<Trials.Running> rerun = new ArrayList<>();
        for (JournalEntry e : journal) {
            int before = e.toldBefore() == null ? 0 : e.toldBefore();
            while (told < before) tellRecorded(toTell.removeFirst(), results);
            Plan p = next();
            if (p == null) throw new ResumeException("trial #" + e.ordinal() + " (id " + e.trialId() + ") is not what the search plans next");
            Candidate c = candidate(p);
            String recipeKey = trials.recipeKey(c);
            if (!c.architecture().fingerprint().equals(e.fingerprint().trim()) || p.rung() != e.rung() || !recipeKey.equals(e.recipeKey())) {
                throw new ResumeException("trial #" + e.ordinal() + " (id " + e.trialId() + ") differs from what the search plans now:"
                        + " were the space file or the plugins changed?");
            }
            boolean finished = e.toldOrder() != null;
            Trials.Running r = trials.adopt(p.genes(), c, p.rung(), e.trialId(), "cached".equals(e.status()), null);
            planned(p, r);
            inFlight.put(r.trialId(), r);
            if (!finished) rerun.add(r);
        }
        while (!toTell.isEmpty()) tellRecorded(toTell.removeFirst(), results);
        for (Trials.Running r : rerun) launched(trials.relaunch(r));
        fill();
        drain();
    }

    /**
     * Runs the search again as an earlier identical search ran (same space text and seed): its
     * recorded order of plans and results is followed, so the strategy proposes the same
     * candidates whatever the workers' timing, and the cache answers them. Where the search
     * departs from the record (a trial of the record failed and trains again differently, say),
     * it goes on live from there.
     */
    void follow(List<JournalEntry> record) {
        Deque<JournalEntry> toTell = new ArrayDeque<>(record.stream().filter(e -> e.toldOrder() != null)
                .sorted(Comparator.comparing(JournalEntry::toldOrder)).toList());
        Map<Long, Trials.Running> byRecordedId = new HashMap<>();
        for (JournalEntry e : record) {
            int before = e.toldBefore() == null ? 0 : e.toldBefore();
            while (told < before && !toTell.isEmpty() && byRecordedId.containsKey(toTell.peekFirst().trialId())) {
                Trials.Running r = byRecordedId.remove(toTell.removeFirst().trialId());
                inFlight.remove(r.trialId());
                tell(r, Trials.await(r), false);
            }
            if (told < before) break; // the record cannot be followed further
            Plan p = next();
            if (p == null) break;
            Trials.Running r = trials.start(p.genes(), candidate(p), p.rung(), p.generation(), p.parentTrialId(), told);
            planned(p, r);
            inFlight.put(r.trialId(), r);
            byRecordedId.put(e.trialId(), r);
            if (!r.cached() || !r.key().equals(candidate(p).key()) || !e.fingerprint().trim().equals(candidate(p).architecture().fingerprint())) break;
        }
        while (!toTell.isEmpty() && byRecordedId.containsKey(toTell.peekFirst().trialId())) {
            Trials.Running r = byRecordedId.remove(toTell.removeFirst().trialId());
            inFlight.remove(r.trialId());
            tell(r, Trials.await(r), false);
        }
        // Whatever is still out goes back to the normal loop.
        for (Trials.Running r : byRecordedId.values()) {
            inFlight.remove(r.trialId());
            launched(r);
        }
        fill();
        drain();
    }

    private void tellRecorded(JournalEntry e, LongFunction<TrialResult> results) {
        Trials.Running r = inFlight.remove(e.trialId());
        if (r == null) throw new ResumeException("trial id " + e.trialId() + " was told before it was planned");
        tell(r, results.apply(e.trialId()), true);
    }

    private void drain() {
        while (!inFlight.isEmpty()) {
            Trials.Running r = take();
            inFlight.remove(r.trialId());
            tell(r, Trials.await(r), false);
            fill();
        }
    }

    /** Starts planned trials until every worker is busy or nothing is left to plan. */
    private void fill() {
        while (inFlight.size() < workers) {
            Plan p = next();
            if (p == null) return;
            Trials.Running r = trials.start(p.genes(), candidate(p), p.rung(), p.generation(), p.parentTrialId(), told);
            planned(p, r);
            launched(r);
        }
    }

    private void planned(Plan p, Trials.Running r) {
        if (p.rung() == 0) {
            newCandidates++;
            rung0.put(domain.key(p.genes()), new Rung0(p.genes(), r.trialId(), p.generation()));
        }
    }

    private void launched(Trials.Running r) {
        inFlight.put(r.trialId(), r);
        r.result().whenComplete((result, error) -> arrived.add(r));
    }

    private Candidate candidate(Plan p) {
        Candidate c = domain.candidate(p.genes());
        return new Candidate(c.architecture(), fidelity.recipe(c.recipe(), p.rung()));
    }

    private void tell(Trials.Running r, TrialResult result, boolean alreadyRecorded) {
        Score score = trials.finish(r, result, told, alreadyRecorded);
        told++;
        String key = domain.key(r.genes());
        if (r.rung() == 0) {
            told0.put(key, score);
            strategy.tell(r.genes(), score);
        }
        if (!score.isInfeasible()) {
            int generation = rung0.containsKey(key) ? rung0.get(key).generation() : 0;
            double loss = result.metric("val_loss");
            rungResults.get(r.rung()).add(new RungResult(r.genes(), key, r.trialId(), score, loss, generation));
        }
    }

    /** The next trial to start, or null when there is none now. */
    private Plan next() {
        for (int rung = fidelity.topRung() - 1; rung >= 0; rung--) {
            RungResult promote = promotable(rung);
            if (promote != null) {
                promoted.get(rung).add(promote.key());
                return new Plan(promote.genes(), rung + 1, promote.trialId(), promote.generation());
            }
        }
        int repeats = 0;
        while (!exhausted && newCandidates < budget) {
            Proposal p = strategy.propose();
            if (p == null) {
                exhausted = true;
                break;
            }
            String key = domain.key(p.genes());
            if (rung0.containsKey(key)) {
                // A repeat: answered from this search's own result, without a trial.
                Score known = told0.get(key);
                if (known != null) strategy.tell(p.genes(), known);
                if (++repeats >= MAX_REPEATS) exhausted = true;
                continue;
            }
            Rung0 parent = p.parent() == null ? null : rung0.get(domain.key(p.parent()));
            return new Plan(p.genes(), 0, parent == null ? null : parent.trialId(), parent == null ? 0 : parent.generation() + 1);
        }
        return null;
    }

    /**
     * ASHA's rule: a candidate of {@code rung} not yet promoted that is among the best
     * floor(n / eta) of the n results of that rung so far (best first: constraints, then
     * non-domination rank and validation loss with several objectives, else fitness).
     */
    private RungResult promotable(int rung) {
        List<RungResult> results = rungResults.get(rung);
        int k = results.size() / fidelity.eta();
        if (k == 0) return null;
        List<RungResult> ranked = new ArrayList<>(results);
        if (multiObjective) {
            int[] rank = io.jenetics.ext.moea.Pareto.rank(
                    ranked.stream().map(RungResult::score).collect(io.jenetics.util.ISeq.toISeq()), Score::dominance);
            Map<RungResult, Integer> byResult = new HashMap<>();
            for (int i = 0; i < rank.length; i++) byResult.put(ranked.get(i), rank[i]);
            ranked.sort(Comparator.<RungResult>comparingInt(byResult::get).thenComparingDouble(RungResult::valLoss));
        } else {
            ranked.sort((a, b) -> b.score().compareFitness(a.score()));
        }
        for (int i = 0; i < k; i++) {
            if (!promoted.get(rung).contains(ranked.get(i).key())) return ranked.get(i);
        }
        return null;
    }

    private Trials.Running take() {
        try {
            return arrived.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("search interrupted", e);
        }
    }

    /** A search that cannot be resumed as recorded. */
    static final class ResumeException extends IllegalStateException {
        ResumeException(String message) {
            super(message);
        }
    }
}
