package dev.strata.core.training;

/**
 * How a candidate is trained: AdamW with linear warmup then cosine decay to {@code minLrRatio}
 * times the peak, for a fixed number of steps. Part of the dedup key: the same architecture under
 * another recipe is another trial.
 *
 * @param steps optimizer steps
 * @param batchSize sequences per step
 * @param learningRate peak learning rate
 * @param weightDecay AdamW decoupled weight decay
 * @param warmupSteps linear warmup steps
 * @param minLrRatio final learning rate as a fraction of the peak
 * @param evalEvery validation every this many steps (and at the end)
 * @param gradClip clip gradients to this global value (0 = off)
 * @param timeLimitSeconds a trial running longer is killed and failed
 */
public record Recipe(
        int steps,
        int batchSize,
        double learningRate,
        double weightDecay,
        int warmupSteps,
        double minLrRatio,
        int evalEvery,
        double gradClip,
        int timeLimitSeconds) {

    public Recipe {
        if (steps <= 0) throw new IllegalArgumentException("recipe.steps must be positive, got " + steps);
        if (batchSize <= 0) throw new IllegalArgumentException("recipe.batch must be positive, got " + batchSize);
        if (!(learningRate > 0)) throw new IllegalArgumentException("recipe.lr must be positive, got " + learningRate);
        if (warmupSteps < 0 || warmupSteps > steps) throw new IllegalArgumentException("recipe.warmup must be in [0, steps], got " + warmupSteps);
        if (evalEvery <= 0) throw new IllegalArgumentException("recipe.eval_every must be positive, got " + evalEvery);
    }

    /** Canonical text of the recipe, part of the trial cache key. */
    public String canonical() {
        return "steps=" + steps + ",batch=" + batchSize + ",lr=" + learningRate + ",wd=" + weightDecay
                + ",warmup=" + warmupSteps + ",min_lr_ratio=" + minLrRatio + ",eval_every=" + evalEvery
                + ",clip=" + gradClip;
    }

    /**
     * This recipe shortened (or lengthened) to {@code newSteps}, warm-up and evaluation interval
     * scaled with it, so a short multi-fidelity run has the same shape of schedule.
     */
    public Recipe withSteps(int newSteps) {
        double f = (double) newSteps / steps;
        int warmup = Math.min(newSteps, (int) Math.round(warmupSteps * f));
        int every = Math.max(1, (int) Math.round(evalEvery * f));
        return new Recipe(newSteps, batchSize, learningRate, weightDecay, warmup, minLrRatio, every, gradClip, timeLimitSeconds);
    }

    /**
     * This recipe run for exactly {@code n} steps, validating every {@code evalEvery} steps: the
     * warm-up is kept but never longer than the run (unlike {@link #withSteps}, nothing is scaled).
     */
    public Recipe forRun(int n, int evalEvery) {
        return new Recipe(n, batchSize, learningRate, weightDecay, Math.min(warmupSteps, n), minLrRatio, evalEvery, gradClip, timeLimitSeconds);
    }

    /** This recipe with another time limit. */
    public Recipe withTimeLimit(int seconds) {
        return new Recipe(steps, batchSize, learningRate, weightDecay, warmupSteps, minLrRatio, evalEvery, gradClip, seconds);
    }

    /** This recipe with another peak learning rate. */
    public Recipe withLearningRate(double lr) {
        return new Recipe(steps, batchSize, lr, weightDecay, warmupSteps, minLrRatio, evalEvery, gradClip, timeLimitSeconds);
    }

    /** This recipe with another weight decay. */
    public Recipe withWeightDecay(double wd) {
        return new Recipe(steps, batchSize, learningRate, wd, warmupSteps, minLrRatio, evalEvery, gradClip, timeLimitSeconds);
    }

    /**
     * The recipe as a JSON object with the search-space YAML's key names and the training seed,
     * e.g. <code>{"steps":300,"batch":32,"lr":0.003,...,"seed":0}</code>: what a trial stores.
     */
    public String json(long seed) {
        return "{\"steps\":" + steps + ",\"batch\":" + batchSize + ",\"lr\":" + number(learningRate)
                + ",\"weight_decay\":" + number(weightDecay) + ",\"warmup\":" + warmupSteps
                + ",\"min_lr_ratio\":" + number(minLrRatio) + ",\"eval_every\":" + evalEvery
                + ",\"grad_clip\":" + number(gradClip) + ",\"time_limit\":" + timeLimitSeconds + ",\"seed\":" + seed + "}";
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    /** Learning rate at optimizer step {@code step} (0-based). */
    public double learningRateAt(int step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, steps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return learningRate * (minLrRatio + (1 - minLrRatio) * cosine);
    }
}
