package dev.strata.core.search;

import dev.strata.core.space.SearchSpace;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TaskSpec;

/**
 * What identifies a training run besides the architecture: the task (with its data seed) and the
 * recipe (with the training seed). Together with the fingerprint they are the cache key.
 *
 * @param recipeKey the search's recipe text: each trial's when nothing in the recipe is searched,
 *     else with the searched values as lists (see {@code RecipeSpace.canonical()})
 */
record TrialKeys(TaskSpec task, String taskKey, String recipeKey, long trainingSeed) {

    static TrialKeys of(SearchSpace space) {
        TaskSpec task = new TaskSpec(space.task().id(), space.task().params(), space.task().dataSeed(), space.baseDir().toString());
        return new TrialKeys(task, task.canonical(), space.recipes().canonical() + ",seed=" + space.trainingSeed(), space.trainingSeed());
    }

    /** The recipe key of a trial trained with {@code recipe}. */
    String recipeKey(Recipe recipe) {
        return recipe.canonical() + ",seed=" + trainingSeed;
    }

    /** The recipe JSON a trial trained with {@code recipe} records. */
    String recipeJson(Recipe recipe) {
        return recipe.json(trainingSeed);
    }

    /**
     * The seed a trial trains with: a mix of the training seed and the fingerprint, so one
     * architecture trains identically whichever search, generation or worker runs it. The recipe
     * is not mixed in: one architecture under several learning rates starts from the same
     * initialisation and sees the same batches, a paired comparison.
     */
    long trialSeed(String fingerprint) {
        long h = Long.parseUnsignedLong(fingerprint.substring(0, 15), 16);
        long z = h ^ (trainingSeed * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
