package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;
import dev.strata.core.strategy.Proposal;
import dev.strata.core.strategy.Score;
import dev.strata.core.strategy.Strategies;
import dev.strata.core.strategy.Strategy;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tabular replay on {@code workers} worker threads, each evaluation holding its worker for
 * {@code evalTime} as a training would, with the same ask/tell loop as a training search: a free
 * worker gets the strategy's next proposal at once, and results are told in the order they
 * finish. It shows whether a strategy keeps workers busy; the utilisation is busy worker time
 * over workers x wall time. An architecture missing from the table is found out before it takes
 * a worker (it would not be trained either).
 */
public final class ParallelReplay {

    public record Result(Replay.Result replay, int workers, double utilisation, Duration wall) {}

    private ParallelReplay() {}

    public static Result run(TabularSpace space, int workers, Duration evalTime, double gap) {
        TableOracle.Lookup lookup = new TableOracle.Lookup(space);
        Strategy strategy = Strategies.create(space.strategy(), lookup.space(), new SplittableRandom(space.seed()));
        TableOracle oracle = new TableOracle(lookup, space.budget(), gap);
        AtomicLong busy = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        ExecutorCompletionService<Evaluated> done = new ExecutorCompletionService<>(pool);
        long start = System.nanoTime();
        try {
            int inFlight = 0;
            boolean exhausted = false;
            while (true) {
                while (inFlight < workers && !exhausted && !oracle.done()) {
                    Proposal p = strategy.propose();
                    if (p == null) {
                        exhausted = true;
                        break;
                    }
                    double f = oracle.evaluate(p.genes());
                    if (Double.isNaN(f)) {
                        strategy.tell(p.genes(), Score.infeasible());
                        continue;
                    }
                    done.submit(() -> {
                        long t = System.nanoTime();
                        Thread.sleep(evalTime);
                        busy.addAndGet(System.nanoTime() - t);
                        return new Evaluated(p.genes(), f);
                    });
                    inFlight++;
                }
                if (inFlight == 0) break;
                Evaluated e = done.take().get();
                inFlight--;
                strategy.tell(e.genes(), Score.of(e.fitness()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        long wall = System.nanoTime() - start;
        Replay.Result r = new Replay.Result(strategy.name(), space.seed(), oracle.evaluations(), oracle.infeasible(), oracle.bestKey(),
                oracle.bestValue(), lookup.best(), oracle.reachedAt());
        return new Result(r, workers, busy.get() / ((double) workers * wall), Duration.ofNanos(wall));
    }

    private record Evaluated(int[] genes, double fitness) {}
}
