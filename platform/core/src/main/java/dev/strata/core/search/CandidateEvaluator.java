package dev.strata.core.search;

import dev.strata.core.genome.Candidate;
import dev.strata.core.genome.Genome;
import io.jenetics.IntegerGene;
import io.jenetics.Phenotype;
import io.jenetics.engine.Evaluator;
import io.jenetics.util.ISeq;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.List;

/**
 * Jenetics' fitness step: decodes each new individual into a candidate (architecture and
 * recipe), trains it once (on the workers, all of a generation at a time) through {@link Trials}.
 * A candidate seen before in this search reuses its fitness and is not trained again. Trials past
 * the budget are not started; they get +infinity and the search ends.
 *
 * <p>Every database write happens on the thread that runs the engine.
 */
final class CandidateEvaluator implements Evaluator<IntegerGene, Double> {

    private final Genome genome;
    private final Trials trials;
    private final SeenCandidates seen;
    private long generation;
    private int idleGenerations;

    CandidateEvaluator(Genome genome, Trials trials, SeenCandidates seen) {
        this.genome = genome;
        this.trials = trials;
        this.seen = seen;
    }

    @Override
    public ISeq<Phenotype<IntegerGene, Double>> eval(Seq<Phenotype<IntegerGene, Double>> population) {
        generation++;
        // Launch every new candidate of this generation first, so all workers are busy at once.
        List<Trials.Running> running = new ArrayList<>();
        for (Phenotype<IntegerGene, Double> p : population) {
            if (p.isEvaluated()) continue;
            Candidate c = genome.candidate(p.genotype());
            if (trials.known(c.key()) || !trials.budgetLeft()) continue;
            Long parentId = trials.trialId(seen.parentOf(p.genotype()));
            running.add(trials.start(c, (int) generation, parentId));
        }
        idleGenerations = running.isEmpty() ? idleGenerations + 1 : 0;
        for (Trials.Running r : running) trials.finish(r);
        return population.stream()
                .map(p -> p.isEvaluated() ? p : p.withFitness(trials.fitness(seen.key(p.genotype()))))
                .collect(ISeq.toISeq());
    }

    /** True when the budget is spent, or when several generations in a row found nothing new. */
    boolean done() {
        return !trials.budgetLeft() || idleGenerations >= 20;
    }
}
