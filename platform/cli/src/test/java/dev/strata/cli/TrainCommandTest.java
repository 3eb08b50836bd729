package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.training.Recipe;
import org.junit.jupiter.api.Test;

class TrainCommandTest {

    @Test
    void moreStepsKeepTheWarmupAndGrowTheTimeLimit() {
        Recipe r = new Recipe(250, 32, 3e-3, 0.01, 25, 0.1, 50, 1.0, 600);
        Recipe longer = TrainCommand.withSteps(r, 5000);
        assertThat(longer).isEqualTo(new Recipe(5000, 32, 3e-3, 0.01, 25, 0.1, 50, 1.0, 12_000));
        Recipe shorter = TrainCommand.withSteps(r, 10);
        assertThat(shorter.warmupSteps()).isEqualTo(10);
        assertThat(shorter.timeLimitSeconds()).isEqualTo(600);
    }
}
