package dev.strata.core.search;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.genome.Genome;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import io.jenetics.IntegerGene;
import io.jenetics.Phenotype;
import io.jenetics.engine.Evaluator;
import io.jenetics.util.ISeq;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Jenetics' fitness step: decodes each new individual, trains its architecture once (on the
 * workers, all of a generation at a time) and records it. Fitness is the validation loss; a failed
 * trial gets +infinity, so it is never chosen as a parent and never stops the search. An
 * architecture seen before in this search reuses its fitness and is not trained again. Trials
 * past the budget are not started; they get +infinity and the search ends.
 *
 * <p>Every database write happens on the thread that runs the engine.
 */
final class CandidateEvaluator implements Evaluator<IntegerGene, Double> {

    /** Fitness of a failed or unstarted trial: worse than any loss. */
    static final double FAILED = Double.POSITIVE_INFINITY;

    private final Genome genome;
    private final SearchSpace space;
    private final SeenArchitectures seen;
    private final ResultsStore store;
    private final long searchId;
    private final TrialLauncher launcher;
    private final SearchListener listener;
    private final TrialKeys keys;
    private final String device;

    /** Fingerprint -> fitness of every architecture trained in this search. */
    private final Map<String, Double> fitness = new HashMap<>();
    /** Fingerprint -> trial id, for lineage. */
    private final Map<String, Long> trialIds = new HashMap<>();
    private final List<Architecture> proposed = new ArrayList<>();
    private int trained;
    private int failed;
    private long generation;
    private int idleGenerations;
    private double best = FAILED;
    private long bestTrialId = -1;

    CandidateEvaluator(Genome genome, SearchSpace space, SeenArchitectures seen, ResultsStore store, long searchId,
            TrialLauncher launcher, SearchListener listener, String device) {
        this.genome = genome;
        this.space = space;
        this.seen = seen;
        this.store = store;
        this.searchId = searchId;
        this.launcher = launcher;
        this.listener = listener;
        this.keys = TrialKeys.of(space);
        this.device = device;
    }

    @Override
    public ISeq<Phenotype<IntegerGene, Double>> eval(Seq<Phenotype<IntegerGene, Double>> population) {
        generation++;
        // Launch every new architecture of this generation first, so all workers are busy at once.
        Map<String, CompletableFuture<TrialResult>> running = new LinkedHashMap<>();
        Map<String, Long> runningIds = new HashMap<>();
        for (Phenotype<IntegerGene, Double> p : population) {
            if (p.isEvaluated()) continue;
            Architecture arch = genome.decode(p.genotype());
            String print = arch.fingerprint();
            if (fitness.containsKey(print) || running.containsKey(print) || trained >= space.budgetTrials()) continue;
            trained++;
            proposed.add(arch);
            String parentPrint = seen.parentOf(p.genotype());
            Long parentId = parentPrint == null ? null : trialIds.get(parentPrint);
            long seed = keys.trialSeed(print);
            long trialId = store.startTrial(new NewTrial(searchId, trained, (int) generation, parentId, arch,
                    keys.taskKey(), keys.recipeKey(), seed, device));
            trialIds.put(print, trialId);
            runningIds.put(print, trialId);
            listener.trialStarted(trained, trialId, arch);
            running.put(print, launcher.launch(new TrialRequest(trialId, arch, keys.task(), space.recipe(), seed)));
        }
        idleGenerations = running.isEmpty() ? idleGenerations + 1 : 0;
        int ordinal = trained - running.size();
        for (Map.Entry<String, CompletableFuture<TrialResult>> e : running.entrySet()) {
            long trialId = runningIds.get(e.getKey());
            TrialResult result = await(e.getValue(), trialId);
            store.finishTrial(trialId, result);
            double value = result.ok() && Double.isFinite(result.metric("val_loss")) ? result.metric("val_loss") : FAILED;
            if (value == FAILED) failed++;
            fitness.put(e.getKey(), value);
            if (value < best) {
                best = value;
                bestTrialId = trialId;
            }
            listener.trialFinished(++ordinal, trialId, result, best);
        }
        return population.stream()
                .map(p -> p.isEvaluated() ? p : p.withFitness(fitness.getOrDefault(genome.decode(p.genotype()).fingerprint(), FAILED)))
                .collect(ISeq.toISeq());
    }

    private static TrialResult await(CompletableFuture<TrialResult> future, long trialId) {
        try {
            return future.join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return TrialResult.failed(trialId, "could not run: " + cause);
        }
    }

    /** True when the budget is spent, or when several generations in a row found nothing new. */
    boolean done() {
        return trained >= space.budgetTrials() || idleGenerations >= 20;
    }

    int trained() {
        return trained;
    }

    int failed() {
        return failed;
    }

    double best() {
        return best;
    }

    /** Trial id of the best trial, or -1 when none succeeded. */
    long bestTrialId() {
        return bestTrialId;
    }

    /** The architectures trained, in order: the sequence a seed determines. */
    List<Architecture> proposed() {
        return List.copyOf(proposed);
    }
}
