package dev.strata.core.search;

import dev.strata.core.genome.Candidate;
import dev.strata.core.genome.Genome;
import io.jenetics.Genotype;
import io.jenetics.IntegerGene;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Grid search: every distinct candidate of the space in {@link Genome#grid()} order (mixed radix
 * over the decisions, the last turning fastest, each candidate once), until the budget is spent
 * or the space is exhausted. The order is fixed, so the search seed does not matter. Up to
 * {@code parallelism} trials are in flight: whenever one finishes, the next candidate starts.
 * Results are recorded on the calling thread, in the order trials finish.
 */
final class GridSearch {

    private final int parallelism;

    GridSearch(int parallelism) {
        this.parallelism = Math.max(1, parallelism);
    }

    void run(Trials trials, Genome genome) {
        new Run(trials, genome).run();
    }

    private final class Run {
        private final Trials trials;
        private final Genome genome;
        private final Iterator<Genotype<IntegerGene>> grid;
        /** Trials whose results have arrived, in arrival order; filled by the launcher's threads. */
        private final BlockingQueue<Trials.Running> done = new LinkedBlockingQueue<>();
        private final Set<String> produced = new HashSet<>();
        private int inFlight;

        Run(Trials trials, Genome genome) {
            this.trials = trials;
            this.genome = genome;
            this.grid = genome.grid();
        }

        void run() {
            fill();
            while (inFlight > 0) {
                Trials.Running finished = take();
                inFlight--;
                fill(); // before recording, so a worker never waits for the database write
                trials.finish(finished);
            }
        }

        /** Starts the next candidates until {@code parallelism} are in flight, the budget is spent or the grid ends. */
        private void fill() {
            while (inFlight < parallelism && trials.budgetLeft() && grid.hasNext()) {
                Candidate c = genome.candidate(grid.next());
                if (!produced.add(c.key())) continue; // the grid yields each candidate once; this only guards it
                Trials.Running r = trials.start(c, 0, null);
                r.result().whenComplete((result, error) -> done.add(r));
                inFlight++;
            }
        }

        private Trials.Running take() {
            try {
                return done.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("grid search interrupted", e);
            }
        }
    }
}
