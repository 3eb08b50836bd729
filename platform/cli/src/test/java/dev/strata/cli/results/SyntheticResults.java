package dev.strata.cli.results;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills a results database with realistic synthetic searches through {@link ResultsStore}: real
 * component ids and parameters, 1 to 4 layers, validation loss from per-component effects plus
 * noise, parameter counts and FLOPs that grow with width and depth, lineage, about 4% failed and 3%
 * cached trials, curves of 25 training and 5 validation points. For the results benchmark
 * ({@code bench/results.sh}) and the results tests.
 *
 * <pre>
 * java -cp ... dev.strata.cli.results.SyntheticResults --db PATH --trials 10000 [--searches 1] [--seed 1]
 * </pre>
 */
public final class SyntheticResults {

    static final String TASK = "task.mqar{pairs=4, queries=0, validation_size=512, vocab=32}#seed=1";
    static final String RECIPE = "steps=250,batch=32,lr=0.003,wd=0.01,warmup=25,min_lr_ratio=0.1,eval_every=50,clip=1.0,seed=0";
    static final String RECIPE_JSON = "{\"steps\":250,\"batch\":32,\"lr\":0.003,\"weight_decay\":0.01,\"warmup\":25,\"min_lr_ratio\":0.1,"
            + "\"eval_every\":50,\"grad_clip\":1.0,\"time_limit\":600,\"seed\":0}";
    static final String SPACE_YAML = """
            name: synthetic
            seed: 1
            task: {id: task.mqar, params: {pairs: 4, vocab: 32}, seed: 1}
            model: {d_model: [32, 64, 128], depth: [1, 2, 3, 4], token_mixer: [attention.mha], channel_mixer: [mixer.mlp],
                    norm: [norm.rms], residual: [residual.pre_norm]}
            recipe: {steps: 250, batch: 32, lr: 3e-3, warmup: 25, eval_every: 50}
            """;

    /** Objectives and constraints of the generated searches, in turn (null: the search names none). */
    static final String[][] GOALS = {
            {"val_loss:min,params:min", "params<=2000000;flops_per_token<=5e5"},
            {null, null},
            {"val_loss:min,params:min,flops_per_token:min", "params<=400000"},
    };

    /** Token mixers with a parameter, and their effect on validation loss. */
    private record Option(String id, Map<String, Object> params, double effect) {}

    private static final List<Option> TOKEN = List.of(
            new Option("attention.mha", Map.of("heads", 4), 0.0), new Option("attention.mha", Map.of("heads", 1), 0.15),
            new Option("attention.gqa", Map.of("heads", 4, "groups", 2), 0.02), new Option("attention.mqa", Map.of("heads", 4), 0.06),
            new Option("attention.linear", Map.of("heads", 2), 0.45), new Option("attention.gla", Map.of("heads", 2), 0.30),
            new Option("attention.sliding_window", Map.of("heads", 4, "window", 16), 0.12), new Option("mixer.mamba", Map.of("state", 16), 0.25),
            new Option("mixer.hyena", Map.of("order", 2), 0.40), new Option("mixer.short_conv", Map.of("kernel", 4), 0.90));
    private static final List<Option> CHANNEL = List.of(
            new Option("mixer.mlp", Map.of("expansion", 4.0, "activation", "gelu"), 0.0), new Option("mixer.swiglu", Map.of("expansion", 2.666), -0.03),
            new Option("mixer.geglu", Map.of("expansion", 2.666), -0.02), new Option("mixer.moe", Map.of("experts", 4, "top_k", 2), 0.05));
    private static final List<Option> NORM = List.of(
            new Option("norm.rms", Map.of(), 0.0), new Option("norm.layer", Map.of(), 0.01), new Option("norm.dyt", Map.of(), 0.06));
    private static final List<Option> RESIDUAL = List.of(
            new Option("residual.pre_norm", Map.of(), 0.0), new Option("residual.post_norm", Map.of(), 0.12),
            new Option("residual.rezero", Map.of(), 0.05), new Option("residual.parallel", Map.of(), 0.04));

    private SyntheticResults() {}

    /** What was generated. */
    public record Generated(List<Long> searchIds, int trials) {}

    /** Adds {@code searches} searches with {@code trials} trials in all, split evenly. */
    public static Generated fill(String url, int trials, int searches, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Long> ids = new ArrayList<>();
        try (ResultsStore store = ResultsStore.open(url)) {
            int done = 0;
            for (int s = 0; s < searches; s++) {
                int n = (trials - done) / (searches - s);
                ids.add(search(store, url, s, n, rnd));
                done += n;
            }
        }
        return new Generated(ids, trials);
    }

    private static long search(ResultsStore store, String url, int index, int n, SplittableRandom rnd) {
        long searchId = store.createSearch(new NewSearch("synthetic-" + (index + 1), "search-spaces/synthetic.yaml", SPACE_YAML, index + 1,
                "regularized-evolution", TASK, RECIPE, n, "cpu"));
        String[] goals = GOALS[index % GOALS.length];
        setGoals(url, searchId, goals[0], goals[1]);
        List<long[]> finished = new ArrayList<>(); // trial id, index into archs
        List<Architecture> archs = new ArrayList<>();
        Map<Long, Double> losses = new LinkedHashMap<>();
        Long best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int population = 16;
        for (int i = 1; i <= n; i++) {
            int generation = (i - 1) / population;
            Long parent = generation == 0 || finished.isEmpty() ? null : finished.get(rnd.nextInt(finished.size()))[0];
            // Every search has at least one cached (trial population + 2) and one failed trial (trial 3).
            if (!finished.isEmpty() && generation > 0 && (rnd.nextDouble() < 0.03 || i == population + 2)) {
                long[] src = finished.get(rnd.nextInt(finished.size()));
                Architecture a = archs.get((int) src[1]);
                long id = store.recordCachedTrial(new NewTrial(searchId, i, generation, parent, a, TASK, RECIPE, 7 + i, "cpu", RECIPE_JSON, null), src[0]);
                losses.put(id, losses.get(src[0]));
                continue;
            }
            Architecture a = architecture(rnd);
            long id = store.startTrial(new NewTrial(searchId, i, generation, parent, a, TASK, RECIPE, 1000L * index + i, "cpu", RECIPE_JSON, null));
            if (rnd.nextDouble() < 0.04 || i == 3) {
                store.finishTrial(id, TrialResult.failed(id, "loss became NaN at step " + (1 + rnd.nextInt(250))));
                continue;
            }
            TrialResult r = result(id, a, rnd);
            store.finishTrial(id, r);
            double loss = r.metric("val_loss");
            losses.put(id, loss);
            archs.add(a);
            finished.add(new long[] {id, archs.size() - 1});
            if (loss < bestLoss) {
                bestLoss = loss;
                best = id;
            }
        }
        store.finishSearch(searchId, "finished", best);
        return searchId;
    }

    private static Architecture architecture(SplittableRandom rnd) {
        int d = List.of(32, 64, 128).get(rnd.nextInt(3));
        int depth = 1 + rnd.nextInt(4);
        List<LayerSpec> layers = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            layers.add(new LayerSpec(ref(TOKEN, rnd), ref(CHANNEL, rnd), ref(NORM, rnd), ref(RESIDUAL, rnd)));
        }
        return new Architecture(d, layers, ref(NORM, rnd));
    }

    private static ComponentRef ref(List<Option> options, SplittableRandom rnd) {
        Option o = options.get(rnd.nextInt(options.size()));
        return ComponentRef.of(o.id(), o.params());
    }

    private static double effect(List<Option> options, ComponentRef ref) {
        return options.stream().filter(o -> o.id().equals(ref.id()) && ComponentRef.of(o.id(), o.params()).equals(ref))
                .mapToDouble(Option::effect).findFirst().orElse(0);
    }

    private static TrialResult result(long id, Architecture a, SplittableRandom rnd) {
        double loss = 1.1 - 0.12 * Math.log(a.dModel() / 32.0) / Math.log(2) - 0.05 * (a.depth() - 1);
        for (LayerSpec l : a.layers()) {
            loss += (effect(TOKEN, l.tokenMixer()) + effect(CHANNEL, l.channelMixer()) + effect(NORM, l.norm()) + effect(RESIDUAL, l.residual()))
                    / a.depth();
        }
        loss = Math.max(0.05, loss + 0.08 * rnd.nextGaussian());
        long params = 2L * 32 * a.dModel() + 64L * a.dModel() + (long) a.depth() * 12L * a.dModel() * a.dModel();
        double seconds = 4 + params / 20_000.0 * (0.8 + 0.4 * rnd.nextDouble());
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("val_loss", loss);
        m.put("val_accuracy", Math.max(0, Math.min(1, 1 - loss / 3.5 + 0.02 * rnd.nextGaussian())));
        m.put("train_loss", loss * 0.95);
        m.put("params", (double) params);
        m.put("flops_per_token", 2.0 * params + 4.0 * a.depth() * a.dModel() * 16);
        m.put("tokens_per_second", 8_000_000.0 / (params / 1000.0 + 50));
        m.put("train_seconds", seconds);
        m.put("step_seconds", seconds / 250);
        m.put("baseline_loss", 3.4657);
        List<CurvePoint> curve = new ArrayList<>();
        for (int step = 10; step <= 250; step += 10) {
            curve.add(new CurvePoint(step, "train", loss + (3.47 - loss) * Math.exp(-step / 60.0) + 0.03 * rnd.nextGaussian(), Double.NaN));
        }
        for (int step = 50; step <= 250; step += 50) {
            double l = loss + (3.47 - loss) * Math.exp(-step / 60.0);
            curve.add(new CurvePoint(step, "val", step == 250 ? loss : l, Math.max(0, 1 - l / 3.5)));
        }
        return new TrialResult(id, true, null, m, curve, Map.of("attention.mha", "attention@0.1.0/1.0", "task.mqar", "tasks@0.1.0/1.0"));
    }

    /** Objectives and constraints go straight to their V3 columns (the search API does not take them here). */
    static void setGoals(String url, long searchId, String objectives, String constraints) {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                PreparedStatement ps = c.prepareStatement("UPDATE search SET objectives = ?, constraints = ? WHERE id = ?")) {
            ps.setString(1, objectives);
            ps.setString(2, constraints);
            ps.setLong(3, searchId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set the goals of search " + searchId + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) {
        String db = null;
        int trials = 10_000;
        int searches = 1;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> db = args[++i];
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--searches" -> searches = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--db PATH --trials N --searches S --seed X)");
            }
        }
        if (db == null) throw new IllegalArgumentException("--db PATH is required");
        long start = System.nanoTime();
        Generated g = fill(ResultsStore.urlFor(db), trials, searches, seed);
        System.out.printf(Locale.ROOT, "generated %d trials in %d search(es) %s in %.1f s: %s%n", g.trials(), g.searchIds().size(), g.searchIds(),
                (System.nanoTime() - start) / 1e9, db);
    }
}
