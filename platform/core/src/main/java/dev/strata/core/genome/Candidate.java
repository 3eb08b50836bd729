package dev.strata.core.genome;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.training.Recipe;
import java.util.Objects;

/**
 * What a search proposes and trains: an architecture and the recipe it is trained with. Two
 * candidates are the same exactly when their architectures have the same fingerprint and their
 * recipes are equal; {@link #key()} is that identity as text (the search's dedup key).
 */
public record Candidate(Architecture architecture, Recipe recipe) {

    public Candidate {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(recipe, "recipe");
    }

    /** Architecture fingerprint and canonical recipe: equal keys, equal candidates. */
    public String key() {
        return architecture.fingerprint() + "|" + recipe.canonical();
    }
}
