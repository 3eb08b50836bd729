package dev.strata.cli;

import dev.strata.core.genome.Genome;
import dev.strata.core.plugins.PluginHost;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import dev.strata.core.search.SearchOutcome;
import dev.strata.core.search.SearchRunner;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.TabularSpace;
import dev.strata.core.space.TabularSpaceLoader;
import dev.strata.core.replay.ParallelReplay;
import dev.strata.core.replay.Replay;
import dev.strata.core.worker.WorkerConfig;
import dev.strata.core.worker.WorkerPool;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata search FILE.yaml}: runs an architecture search and stores every trial. */
@Command(name = "search", description = "Run an architecture search described by a search-space YAML file.")
public final class SearchCommand implements Callable<Integer> {

    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.yaml", description = "The search space (not with --resume).")
    Path file;

    @Option(names = "--resume", paramLabel = "ID", description = "Continue search ID after its orchestrator died: finished trials are kept, running ones train again.")
    Long resume;

    @Option(names = "--seed", description = "Search seed (overrides the file's seed).")
    Long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), gpu or gpu:N.")
    String device;

    @Option(names = "--workers", defaultValue = "1", description = "Worker processes training in parallel (default 1).")
    int workers;

    @Option(names = "--db", paramLabel = "PATH|URL", description = "Results database (default: STRATA_DB or results/strata).")
    String db;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder (default: STRATA_PLUGINS or build/plugins).")
    Path plugins;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--no-cache", description = "Train every candidate, even one an earlier search already trained with the same task and recipe.")
    boolean noCache;

    @Option(names = "--dry-run", description = "Validate the space, print its size and decisions, train and write nothing.")
    boolean dryRun;

    @Option(names = "--gap", defaultValue = "0.5", description = "Tabular spaces: report when a run first gets within this of the table's best (default 0.5).")
    double gap;

    @Option(names = "--eval-ms", defaultValue = "0", description = "Tabular spaces: each look-up holds a worker this long, as a training would (with --workers).")
    int evalMillis;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (resume != null && file != null) throw new IllegalArgumentException("give either FILE.yaml or --resume ID, not both");
        if (resume == null && file == null) throw new IllegalArgumentException("missing FILE.yaml (or --resume ID)");
        if (resume != null) return resume(out);
        if (TabularSpaceLoader.isTabular(file)) {
            return tabular(out);
        }
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("--device " + device + ": expected cpu, gpu or gpu:N");
        }
        if (workers < 1) throw new IllegalArgumentException("--workers " + workers + ": must be at least 1");
        Path pluginDir = plugins != null ? plugins : StrataPaths.defaultPlugins();
        if (!dryRun) ResultsStore.warmUpInBackground();
        // The workers start first of all: their JVM and libtorch start-up (about a second) then
        // overlaps loading the plugins and the space and opening the database instead of following
        // them. Bad input only costs their start: they are stopped before anything is written.
        try (WorkerPool pool = dryRun ? null : new WorkerPool(WorkerConfig.of(pluginDir, device, workers));
                PluginHost host = PluginHost.load(pluginDir)) {
            // Everything is validated before the database is touched: bad input writes nothing.
            SearchSpace space = new SearchSpaceLoader(host.registry()).load(file);
            if (seed != null) space = space.withSeed(seed);
            String url = ResultsStore.urlFor(db != null ? db : StrataPaths.defaultDatabase());
            Genome genome = Genome.of(space);
            BigInteger size = genome.size();
            int planned = space.strategy().isGrid() ? size.min(BigInteger.valueOf(space.budgetTrials())).intValue() : space.budgetTrials();
            out.printf("search %s: %s on %s, budget %d trials, seed %d, %d worker(s) on %s%n", space.name(),
                    space.strategy().name(), space.task().id(), space.budgetTrials(), space.seed(), workers, device);
            boolean budgetCoversSpace = size.compareTo(BigInteger.valueOf(space.budgetTrials())) <= 0;
            String plan = space.strategy().isGrid() ? (budgetCoversSpace ? "; the grid trains all of them" : "; the grid trains the first " + planned)
                    : budgetCoversSpace ? "; the budget covers them all" : "";
            out.printf("space: %s distinct candidates, %d decisions%s%n", count(size), genome.decisions().size(), plan);
            if (dryRun) {
                for (Genome.Decision d : genome.decisions()) out.printf("  %-60s %d options%n", d.name(), d.options());
                out.flush();
                return ExitCodes.OK;
            }
            try (ResultsStore store = ResultsStore.open(url);
                    SearchProgress progress = new SearchProgress(planned, quiet)) {
                SearchOutcome outcome = new SearchRunner(store, pool::submit, workers, device).useCache(!noCache).run(space, progress);
                double utilisation = pool.utilisation();
                pool.release(); // the workers stop while the summary is written and the database closes
                progress.close();
                return summarize(out, store, space, outcome, url, utilisation);
            }
        }
    }

    /** {@code --resume ID}: rebuilds the search's space from the text it stored and continues it. */
    private int resume(PrintWriter out) throws Exception {
        if (workers < 1) throw new IllegalArgumentException("--workers " + workers + ": must be at least 1");
        Path pluginDir = plugins != null ? plugins : StrataPaths.defaultPlugins();
        String url = ResultsStore.urlFor(db != null ? db : StrataPaths.defaultDatabase());
        try (PluginHost host = PluginHost.load(pluginDir); ResultsStore store = ResultsStore.openExisting(url)) {
            ResultsStore.SearchSource source = store.searchSource(resume)
                    .orElseThrow(() -> new IllegalArgumentException("--resume " + resume + ": no such search in " + url));
            if (source.status().equals("finished")) throw new IllegalArgumentException("--resume " + resume + ": search " + resume + " already finished");
            SearchSpace space = new SearchSpaceLoader(host.registry()).load(Path.of(source.spaceFile()), source.spaceYaml()).withSeed(source.seed());
            String dev = source.device() == null ? device : source.device();
            long done = store.journal(resume).stream().filter(e -> e.toldOrder() != null).count();
            out.printf("resuming search %d (%s): %d trials finished before, %d worker(s) on %s%n", resume, space.name(), done, workers, dev);
            try (WorkerPool pool = new WorkerPool(WorkerConfig.of(host.folder(), dev, workers));
                    SearchProgress progress = new SearchProgress(space.budgetTrials(), quiet)) {
                SearchOutcome outcome = new SearchRunner(store, pool::submit, workers, dev).useCache(!noCache).resume(space, resume, progress);
                double utilisation = pool.utilisation();
                pool.release();
                progress.close();
                return summarize(out, store, space, outcome, url, utilisation);
            }
        }
    }

    /** A tabular replay: fitness is looked up in the space's table; nothing is trained or stored. */
    private int tabular(PrintWriter out) {
        if (!(gap >= 0)) throw new IllegalArgumentException("--gap " + gap + ": must be zero or positive");
        if (workers < 1) throw new IllegalArgumentException("--workers " + workers + ": must be at least 1");
        if (evalMillis < 0) throw new IllegalArgumentException("--eval-ms " + evalMillis + ": must be zero or positive");
        TabularSpace space = new TabularSpaceLoader().load(file);
        if (seed != null) space = space.withSeed(seed);
        long start = System.nanoTime();
        ParallelReplay.Result parallel = workers > 1 || evalMillis > 0
                ? ParallelReplay.run(space, workers, java.time.Duration.ofMillis(evalMillis), gap) : null;
        Replay.Result r = parallel != null ? parallel.replay() : Replay.run(space, gap);
        double ms = (System.nanoTime() - start) / 1e6;
        out.printf(Locale.ROOT, "tabular replay %s: %s on %s (%s %s, %d rows), budget %d evaluations, seed %d%n", space.name(),
                r.strategy(), space.table().getFileName(), space.maximize() ? "maximize" : "minimize", space.metric(), space.rows(),
                space.budget(), space.seed());
        out.printf(Locale.ROOT, "best %s: %s %s (table best %s)%n", r.bestArch(), space.metric(), num(r.bestValue()), num(r.tableBest()));
        out.printf(Locale.ROOT, "within %s of the table's best: %s%n", num(gap),
                r.reachedAt() < 0 ? "not reached in " + r.evaluations() + " evaluations" : "after " + r.reachedAt() + " evaluations");
        out.printf(Locale.ROOT, "%d evaluations, %d infeasible architectures skipped, %.0f ms%n", r.evaluations(), r.infeasible(), ms);
        if (parallel != null) {
            out.printf(Locale.ROOT, "%d worker(s), %d ms per evaluation: worker utilisation %.1f%%%n", workers, evalMillis, 100 * parallel.utilisation());
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private int summarize(PrintWriter out, ResultsStore store, SearchSpace space, SearchOutcome o, String url, double utilisation) {
        out.println();
        out.printf(Locale.ROOT, "search %d finished: %d trials (%d failed) in %.1f s, worker utilisation %.0f%%%n",
                o.searchId(), o.trained(), o.failed(), o.wall().toMillis() / 1000.0, utilisation * 100);
        if (o.cacheHits() > 0) {
            out.printf("cache: %d of %d trials answered from earlier searches (same architecture, task and recipe), %d trained%n",
                    o.cacheHits(), o.trained(), o.trained() - o.cacheHits());
        }
        if (space.strategy().isGrid()) {
            boolean all = o.spaceSize().equals(BigInteger.valueOf(o.trained()));
            out.printf("grid: %s%n", all ? "all " + o.trained() + " candidates of the space"
                    : o.trained() + " of the space's " + count(o.spaceSize()) + " candidates (raise budget.trials for more)");
        }
        if (o.bestTrialId() < 0) {
            out.println("no trial succeeded: see 'strata results sql \"SELECT id, error FROM trial WHERE search_id = " + o.searchId() + "\"'");
            return ExitCodes.FAILED;
        }
        if (space.fidelity().rungs() > 1) {
            out.printf("fidelity: %d rungs (eta %d), steps %s; %d trials beyond the %d candidates were promotions%n", space.fidelity().rungs(),
                    space.fidelity().eta(), rungSteps(space), o.trained() - Math.min(o.trained(), space.budgetTrials()), space.budgetTrials());
        }
        if (o.earlyStop()) {
            out.printf(Locale.ROOT, "early stopping (median rule on val_loss): %d of the trials trained stopped early, %,d of %,d steps saved (%.0f%%)%n",
                    o.stoppedEarly(), o.stepsSaved(), o.stepsPlanned(), o.stepsPlanned() == 0 ? 0.0 : 100.0 * o.stepsSaved() / o.stepsPlanned());
        } else if (space.fidelity().earlyStop()) {
            out.println("early stopping: off, because val_loss is not a minimised objective of this search");
        }
        if (space.objectives().multi()) {
            out.printf("objectives %s%s: see the Pareto front with 'bin/strata results pareto --search %d'%n", space.objectives().objectivesText(),
                    space.objectives().constraintsText() == null ? "" : ", constraints " + space.objectives().constraintsText(), o.searchId());
        }
        TrialSummary best = store.trial(o.bestTrialId()).orElseThrow();
        out.printf(Locale.ROOT, "best trial %d: val_loss %.4f vs baseline %.4f (%s), val_accuracy %.3f, %,d params%n",
                best.id(), best.valLoss(), space.task().baselineLoss(), space.task().baselineName(),
                best.valAccuracy(), best.params());
        out.println("  " + best.summary());
        out.println("results: " + url);
        out.println("  bin/strata results top --search " + o.searchId());
        out.flush();
        return ExitCodes.OK;
    }

    private static String rungSteps(SearchSpace space) {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < space.fidelity().rungs(); r++) {
            if (r > 0) b.append('/');
            b.append(space.fidelity().recipe(space.recipe(), r).steps());
        }
        return b.toString();
    }

    /** A candidate count: exact with thousands separators, or in scientific notation when huge. */
    static String count(BigInteger n) {
        return n.bitLength() < 50 ? String.format(Locale.ROOT, "%,d", n) : String.format(Locale.ROOT, "about %.3g", n.doubleValue());
    }
}
