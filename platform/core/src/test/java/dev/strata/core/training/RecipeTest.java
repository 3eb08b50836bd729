package dev.strata.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecipeTest {

    private final Recipe recipe = new Recipe(250, 32, 3e-3, 0.01, 25, 0.1, 50, 1.0, 600);

    @Test
    void withStepsScalesWarmupAndEvaluation() {
        Recipe r = recipe.withSteps(25);
        assertThat(r.steps()).isEqualTo(25);
        assertThat(r.warmupSteps()).isEqualTo(3); // round(25 * 0.1)
        assertThat(r.evalEvery()).isEqualTo(5);
    }

    @Test
    void forRunKeepsWarmupButNeverLongerThanTheRun() {
        assertThat(recipe.forRun(1000, 1000)).isEqualTo(new Recipe(1000, 32, 3e-3, 0.01, 25, 0.1, 1000, 1.0, 600));
        assertThat(recipe.forRun(20, 20).warmupSteps()).isEqualTo(20);
        assertThat(recipe.withTimeLimit(60).timeLimitSeconds()).isEqualTo(60);
    }
}
