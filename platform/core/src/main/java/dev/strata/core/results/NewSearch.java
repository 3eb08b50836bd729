package dev.strata.core.results;

import java.util.Objects;

/**
 * A search about to start, as {@link ResultsStore#createSearch(NewSearch)} records it.
 *
 * @param name human name of the search (often the space file's base name)
 * @param spaceFile the search-space file it was started from, as given (nullable)
 * @param spaceYaml the full text of that file, so a search can be repeated exactly (nullable)
 * @param seed the search seed
 * @param strategy search strategy id, e.g. {@code evolution} or {@code random}
 * @param taskKey canonical task text ({@code TaskSpec.canonical()}), part of the trial cache key
 * @param recipeKey canonical recipe text ({@code Recipe.canonical()}), part of the trial cache key
 * @param budget the number of trials the search may run
 * @param device where it trains, e.g. {@code cpu} or {@code gpu0} (nullable)
 */
public record NewSearch(
        String name, String spaceFile, String spaceYaml, long seed, String strategy, String taskKey,
        String recipeKey, int budget, String device) {

    public NewSearch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(taskKey, "taskKey");
        Objects.requireNonNull(recipeKey, "recipeKey");
        if (budget < 0) throw new IllegalArgumentException("budget must not be negative, got " + budget);
    }
}
