package dev.strata.core.results;

import dev.strata.core.architecture.Architecture;
import java.util.Objects;

/**
 * A trial about to be trained (or answered from the cache).
 *
 * @param searchId the search it belongs to
 * @param ordinal 1-based position of the trial within its search (unique per search)
 * @param generation the evolutionary generation (0 for the initial population)
 * @param parentTrialId the trial it was mutated or crossed from, or null
 * @param architecture the candidate
 * @param taskKey canonical task text, part of the cache key
 * @param recipeKey canonical recipe text, part of the cache key
 * @param seed initialisation and batch-order seed
 * @param device where it trains (nullable)
 * @param recipeJson the recipe it trains with as a JSON object ({@code Recipe.json(seed)}), stored
 *     in the {@code recipe} column (nullable)
 * @param summary short human form; null means {@code architecture.summary()}
 */
public record NewTrial(
        long searchId, int ordinal, int generation, Long parentTrialId, Architecture architecture,
        String taskKey, String recipeKey, long seed, String device, String recipeJson, String summary) {

    public NewTrial {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(taskKey, "taskKey");
        Objects.requireNonNull(recipeKey, "recipeKey");
        if (ordinal < 1) throw new IllegalArgumentException("trial ordinal is 1-based, got " + ordinal);
        if (summary == null) summary = architecture.summary();
    }

    /** A trial without a recipe JSON, summarised by its architecture. */
    public NewTrial(long searchId, int ordinal, int generation, Long parentTrialId, Architecture architecture,
            String taskKey, String recipeKey, long seed, String device) {
        this(searchId, ordinal, generation, parentTrialId, architecture, taskKey, recipeKey, seed, device, null, null);
    }
}
