package dev.strata.cli.serve;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A results database full of made-up but realistic searches, written through {@link ResultsStore}
 * as a search writes it (createSearch, startTrial, finishTrial or recordCachedTrial, finishSearch):
 * real component ids and parameters, architectures of 1-4 layers, the metrics and curve points a
 * worker reports, about 3% failed and 4% cached trials, losses that improve as the search goes on.
 * For the dashboard's tests and its benchmark ({@code bench/dashboard.sh}); nothing is trained.
 *
 * <p>{@code java ... dev.strata.cli.serve.SyntheticResults DB_PATH TRIALS [SEARCHES] [SEED]}
 */
public final class SyntheticResults {

    private static final String TASK_KEY = "task.mqar{pairs=4, vocab=32}";
    private static final String RECIPE_KEY = "steps=250 batch=32 lr=0.003 warmup=25 eval_every=50";
    private static final int STEPS = 250;
    private static final int EVAL_EVERY = 50;
    private static final int TRAIN_EVERY = 10;

    /** Token mixers with a quality offset (lower is better) and their searched parameter. */
    private static final List<Object[]> TOKEN_MIXERS = List.of(
            new Object[] {"attention.mha", 0.00, "heads", new int[] {1, 2, 4}},
            new Object[] {"attention.gqa", 0.03, "heads", new int[] {2, 4}},
            new Object[] {"attention.mqa", 0.06, "heads", new int[] {2, 4}},
            new Object[] {"attention.sliding_window", 0.15, "window", new int[] {8, 16}},
            new Object[] {"attention.linear", 0.25, "heads", new int[] {1, 2}},
            new Object[] {"mixer.hyena", 0.30, "order", new int[] {2, 3}},
            new Object[] {"mixer.mamba", 0.12, "d_state", new int[] {8, 16}},
            new Object[] {"mixer.short_conv", 0.45, "kernel", new int[] {3, 4}});
    private static final List<String> CHANNEL_MIXERS = List.of("mixer.mlp", "mixer.swiglu", "mixer.geglu");
    private static final List<String> NORMS = List.of("norm.layer", "norm.rms", "norm.dyt", "norm.scale");
    private static final List<String> RESIDUALS = List.of("residual.pre_norm", "residual.post_norm", "residual.sandwich", "residual.rezero");

    private SyntheticResults() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: SyntheticResults DB_PATH TRIALS [SEARCHES] [SEED]");
            System.exit(2);
        }
        String db = args[0]; // a path, or a jdbc: URL
        int trials = Integer.parseInt(args[1]);
        int searches = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        long t0 = System.nanoTime();
        List<Long> ids = generate(db, searches, trials, seed);
        System.out.printf(Locale.ROOT, "wrote %d search(es) x %d trials to %s in %.1f s (search ids %s)%n",
                searches, trials, ResultsStore.urlFor(db), (System.nanoTime() - t0) / 1e9, ids);
    }

    /**
     * Writes {@code searches} finished searches of {@code trialsPerSearch} trials each into the
     * database at {@code db} (created if needed; existing searches stay); returns their ids.
     */
    public static List<Long> generate(Path db, int searches, int trialsPerSearch, long seed) {
        return generate(ResultsStore.fileUrl(db), searches, trialsPerSearch, seed);
    }

    /** As {@link #generate(Path, int, int, long)}, into the database at a path or JDBC URL. */
    public static List<Long> generate(String pathOrUrl, int searches, int trialsPerSearch, long seed) {
        List<Long> ids = new ArrayList<>();
        try (ResultsStore store = ResultsStore.open(ResultsStore.urlFor(pathOrUrl))) {
            for (int s = 0; s < searches; s++) {
                ids.add(writeSearch(store, "synthetic-" + (s + 1), trialsPerSearch, new SplittableRandom(seed * 1_000 + s)));
            }
        }
        return ids;
    }

    private static long writeSearch(ResultsStore store, String name, int trials, SplittableRandom rnd) {
        long searchId = store.createSearch(new NewSearch(name, "search-spaces/" + name + ".yaml",
                "name: " + name + "\n# synthetic: written by SyntheticResults, nothing was trained\n", rnd.nextLong(1_000),
                "regularized-evolution", TASK_KEY, RECIPE_KEY, trials, "cpu"));
        List<long[]> okTrials = new ArrayList<>(); // [id, index into archs]
        List<Architecture> archs = new ArrayList<>();
        long best = -1;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (int ordinal = 1; ordinal <= trials; ordinal++) {
            int generation = Math.max(0, (ordinal - 1) / 8);
            Long parent = okTrials.isEmpty() || generation == 0 ? null : okTrials.get(rnd.nextInt(okTrials.size()))[0];
            if (!okTrials.isEmpty() && rnd.nextDouble() < 0.04) {
                long[] source = okTrials.get(rnd.nextInt(okTrials.size()));
                Architecture a = archs.get((int) source[1]);
                store.recordCachedTrial(new NewTrial(searchId, ordinal, generation, parent, a, TASK_KEY, RECIPE_KEY, 7, "cpu"), source[0]);
                continue;
            }
            Architecture a = architecture(rnd);
            long id = store.startTrial(new NewTrial(searchId, ordinal, generation, parent, a, TASK_KEY, RECIPE_KEY,
                    rnd.nextLong(1L << 40), "cpu", recipeJson(), null));
            if (rnd.nextDouble() < 0.03) {
                store.finishTrial(id, TrialResult.failed(id, rnd.nextBoolean()
                        ? "validation loss is NaN after 250 steps" : "time limit of 600 s exceeded"));
                continue;
            }
            double progress = (double) ordinal / trials;
            double loss = valLoss(a, progress, rnd);
            store.finishTrial(id, result(id, a, loss, rnd));
            archs.add(a);
            okTrials.add(new long[] {id, archs.size() - 1});
            if (loss < bestLoss) {
                bestLoss = loss;
                best = id;
            }
        }
        store.finishSearch(searchId, "finished", best < 0 ? null : best);
        return searchId;
    }

    static Architecture architecture(SplittableRandom rnd) {
        int d = new int[] {32, 64, 128}[rnd.nextInt(3)];
        int depth = 1 + rnd.nextInt(4);
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            Object[] tm = TOKEN_MIXERS.get(rnd.nextInt(TOKEN_MIXERS.size()));
            int[] values = (int[]) tm[3];
            ComponentRef token = ComponentRef.of((String) tm[0], Map.of((String) tm[2], values[rnd.nextInt(values.length)]));
            ComponentRef channel = ComponentRef.of(CHANNEL_MIXERS.get(rnd.nextInt(CHANNEL_MIXERS.size())),
                    Map.of("expansion", rnd.nextBoolean() ? 2 : 4));
            layers.add(new LayerSpec(token, channel, ComponentRef.of(NORMS.get(rnd.nextInt(NORMS.size()))),
                    ComponentRef.of(RESIDUALS.get(rnd.nextInt(RESIDUALS.size())))));
        }
        return new Architecture(d, layers, ComponentRef.of(NORMS.get(rnd.nextInt(NORMS.size()))));
    }

    /** A loss that depends on the components and size, improves as the search goes on, with noise. */
    private static double valLoss(Architecture a, double progress, SplittableRandom rnd) {
        double mixer = 0;
        for (LayerSpec l : a.layers()) {
            for (Object[] tm : TOKEN_MIXERS) if (tm[0].equals(l.tokenMixer().id())) mixer += (double) tm[1];
        }
        mixer /= a.depth();
        double size = Math.log(params(a)) / Math.log(2);
        double raw = 1.6 + mixer - 0.08 * size - 0.6 * progress + rnd.nextGaussian() * 0.15;
        return Math.log1p(Math.exp(raw)); // softplus: positive, and smooth near the floor
    }

    static long params(Architecture a) {
        long d = a.dModel();
        long perLayer = 0;
        for (LayerSpec l : a.layers()) {
            long exp = ((Number) l.channelMixer().params().asMap().get("expansion")).longValue();
            perLayer += 4 * d * d + (l.channelMixer().id().equals("mixer.mlp") ? 2 : 3) * exp * d * d + 4 * d;
        }
        return perLayer + 2 * 32 * d + 2 * d;
    }

    private static TrialResult result(long id, Architecture a, double loss, SplittableRandom rnd) {
        double seconds = 5 + params(a) / 20_000.0 + rnd.nextDouble() * 3;
        Map<String, Double> m = new TreeMap<>();
        m.put("val_loss", loss);
        m.put("val_accuracy", Math.max(0, Math.min(1, 1.1 - loss / 2.5 + rnd.nextGaussian() * 0.02)));
        m.put("train_loss", loss * 0.95);
        m.put("params", (double) params(a));
        m.put("tokens_per_second", STEPS * 32 * 20 / seconds);
        m.put("train_seconds", seconds);
        m.put("step_seconds", seconds / STEPS);
        m.put("baseline_loss", Math.log(32));
        List<CurvePoint> curve = new ArrayList<>();
        double start = Math.log(32);
        for (int step = TRAIN_EVERY; step <= STEPS; step += TRAIN_EVERY) {
            double f = Math.exp(-3.0 * step / STEPS);
            curve.add(new CurvePoint(step, "train", loss * 0.95 + (start - loss) * f + rnd.nextGaussian() * 0.02, Double.NaN));
        }
        for (int step = EVAL_EVERY; step <= STEPS; step += EVAL_EVERY) {
            double f = Math.exp(-3.0 * step / STEPS);
            double l = step == STEPS ? loss : loss + (start - loss) * f;
            curve.add(new CurvePoint(step, "val", l, Math.max(0, 1 - l / start)));
        }
        Map<String, String> versions = new LinkedHashMap<>();
        for (LayerSpec l : a.layers()) {
            for (ComponentRef c : List.of(l.tokenMixer(), l.channelMixer(), l.norm(), l.residual())) {
                versions.put(c.id(), "strata-" + c.id().substring(0, c.id().indexOf('.')) + "@0.1.0/1.0");
            }
        }
        return new TrialResult(id, true, null, m, curve, versions);
    }

    private static String recipeJson() {
        return "{\"steps\":250,\"batch\":32,\"lr\":0.003,\"weight_decay\":0.0,\"warmup\":25,\"min_lr_ratio\":0.1,"
                + "\"eval_every\":50,\"grad_clip\":1.0,\"time_limit\":600,\"seed\":7}";
    }
}
