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
 * @param recipes the training recipe and, where {@code recipe.lr} or {@code recipe.weight_decay}
 *     is a list, the values searched over
 * @param trainingSeed seed every trial's training derives from (with the architecture's
 *     fingerprint), so one architecture always trains the same way under one recipe, and starts
 *     from the same initialisation whatever learning rate or weight decay it is given
 * @param budgetTrials number of distinct candidates (architecture and recipe) to train
 * @param seed search seed: the same seed gives the same sequence of candidates
 * @param objectives what the search optimises and must respect ({@link Objectives#DEFAULT}: val_loss)
 * @param fidelity successive-halving rungs and early stopping ({@link Fidelity#FULL}: none)
 */
public record SearchSpace(
        String name,
        Path file,
        String yaml,
        TaskChoice task,
        ModelSpace model,
        RecipeSpace recipes,
        long trainingSeed,
        StrategyConfig strategy,
        int budgetTrials,
        long seed,
        Objectives objectives,
        Fidelity fidelity) {

    /** The same space with another search seed (the CLI's {@code --seed}). */
    public SearchSpace withSeed(long newSeed) {
        return new SearchSpace(name, file, yaml, task, model, recipes, trainingSeed, strategy, budgetTrials, newSeed, objectives, fidelity);
    }

    /**
     * The training recipe: the whole of it when nothing in it is searched; otherwise the recipe
     * with the first listed value of each searched field (each trial records its own).
     */
    public Recipe recipe() {
        return recipes.base();
    }

    /** Folder that relative file names in the space (task data) are resolved against. */
    public Path baseDir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".").toAbsolutePath() : parent;
    }
}
