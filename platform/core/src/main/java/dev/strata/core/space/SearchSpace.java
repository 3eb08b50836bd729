package dev.strata.core.space;

import dev.strata.core.training.Recipe;
import java.nio.file.Path;

/**
 * A validated search space: what to search over, on which task, trained how, by which strategy,
 * for how many trials, from which seed. Produced by {@link SearchSpaceLoader}.
 *
 * @param name short name (defaults to the file name)
 * @param file the YAML file
 * @param yaml the YAML text as read (stored with the search)
 * @param trainingSeed seed every trial's training derives from (with the architecture's
 *     fingerprint), so one architecture always trains the same way under one recipe
 * @param budgetTrials number of distinct architectures to train
 * @param seed search seed: the same seed gives the same sequence of candidates
 */
public record SearchSpace(
        String name,
        Path file,
        String yaml,
        TaskChoice task,
        ModelSpace model,
        Recipe recipe,
        long trainingSeed,
        StrategyConfig strategy,
        int budgetTrials,
        long seed) {

    /** The same space with another search seed (the CLI's {@code --seed}). */
    public SearchSpace withSeed(long newSeed) {
        return new SearchSpace(name, file, yaml, task, model, recipe, trainingSeed, strategy, budgetTrials, newSeed);
    }

    /** Folder that relative file names in the space (task data) are resolved against. */
    public Path baseDir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".").toAbsolutePath() : parent;
    }
}
