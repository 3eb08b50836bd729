package dev.strata.core.space;

import dev.strata.core.training.Recipe;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The training half of a search space: a base recipe and the values its searchable fields may
 * take. {@code recipe.lr} and {@code recipe.weight_decay} written as lists become search decisions
 * (genes, like a model choice); a scalar is one value, fixed, exactly as a plain {@link Recipe}.
 *
 * @param base the recipe with the first value of each list (the whole recipe when nothing is searched)
 * @param learningRates the peak learning rates to choose from, in file order (at least one)
 * @param weightDecays the weight decays to choose from, in file order (at least one)
 */
public record RecipeSpace(Recipe base, List<Double> learningRates, List<Double> weightDecays) {

    public RecipeSpace {
        learningRates = List.copyOf(learningRates);
        weightDecays = List.copyOf(weightDecays);
        if (learningRates.isEmpty() || weightDecays.isEmpty()) throw new IllegalArgumentException("a recipe needs at least one lr and weight_decay");
        if (base.learningRate() != learningRates.getFirst() || base.weightDecay() != weightDecays.getFirst()) {
            throw new IllegalArgumentException("the base recipe must hold the first lr and weight_decay");
        }
    }

    /** A recipe with nothing searched. */
    public static RecipeSpace fixed(Recipe recipe) {
        return new RecipeSpace(recipe, List.of(recipe.learningRate()), List.of(recipe.weightDecay()));
    }

    /** True when some recipe value is a search decision. */
    public boolean searched() {
        return learningRates.size() > 1 || weightDecays.size() > 1;
    }

    /** The recipe with the {@code lr}-th learning rate and the {@code wd}-th weight decay. */
    public Recipe recipe(int lr, int wd) {
        return base.withLearningRate(learningRates.get(lr)).withWeightDecay(weightDecays.get(wd));
    }

    /**
     * Canonical text: {@link Recipe#canonical()} when nothing is searched; otherwise the same text
     * with each searched field as its list, e.g. {@code lr={0.001,0.003}}. The search records it.
     */
    public String canonical() {
        String text = base.canonical();
        if (learningRates.size() > 1) text = text.replace(",lr=" + base.learningRate() + ",", ",lr=" + list(learningRates) + ",");
        if (weightDecays.size() > 1) text = text.replace(",wd=" + base.weightDecay() + ",", ",wd=" + list(weightDecays) + ",");
        return text;
    }

    private static String list(List<Double> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }
}
