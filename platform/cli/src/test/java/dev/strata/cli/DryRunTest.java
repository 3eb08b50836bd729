package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata search --dry-run}: validates, prints the space's size and decisions, writes nothing. */
class DryRunTest {

    @TempDir
    Path dir;

    private Cli dryRun(String yaml) throws Exception {
        Path f = dir.resolve("space.yaml");
        Files.writeString(f, yaml);
        return Cli.run("search", f.toString(), "--db", dir.resolve("db/strata").toString(), "--plugins", TestPlugins.builtIn().toString(), "--dry-run");
    }

    @Test
    void printsTheSizeOfAGridWithSearchedLearningRates() throws Exception {
        Cli r = dryRun(BadInputTest.GOOD.replace("recipe: {steps: 10, batch: 8}", "recipe: {steps: 10, batch: 8, lr: [1e-3, 3e-3, 1e-2]}")
                .replace("strategy: {population: 2, tournament: 1}", "strategy: {name: grid}"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        // heads [1, 2] x three learning rates
        assertThat(r.out()).contains("space: 6 distinct candidates, 2 decisions; the grid trains the first 2")
                .contains("layer0.token_mixer.attention.mha.heads").contains("recipe.lr");
        assertThat(dir.resolve("db")).doesNotExist();
    }

    @Test
    void printsTheSizeOfTheQuickstart() throws Exception {
        Path quickstart = Path.of(System.getProperty("strata.root", "../.."), "search-spaces", "quickstart.yaml");
        Cli r = Cli.run("search", quickstart.toString(), "--db", dir.resolve("db/strata").toString(),
                "--plugins", TestPlugins.builtIn().toString(), "--dry-run");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        // 2 widths x (48 + 48^2 layer stacks) x 2 final norms; one layer: 3 heads x (2 x 2) MLPs x 2 norms x 2 residuals
        assertThat(r.out()).contains("space: 9,408 distinct candidates, 13 decisions\n");
        assertThat(dir.resolve("db")).doesNotExist();
        // The example of docs/search-spaces.md.
        String yaml = Files.readString(quickstart);
        Cli grid = dryRun(yaml.replace("lr: 3e-3", "lr: [1e-3, 3e-3, 1e-2]")
                .replace("strategy: {name: guided-evolution, population: 8, tournament: 3}", "strategy: {name: grid}"));
        assertThat(grid.exitCode()).as(grid.toString()).isZero();
        assertThat(grid.out()).contains("space: 28,224 distinct candidates, 14 decisions; the grid trains the first 20\n");
    }

    @Test
    void aBadLearningRateIsRefusedWithItsLine() throws Exception {
        Cli r = dryRun(BadInputTest.GOOD.replace("recipe: {steps: 10, batch: 8}", "recipe: {steps: 10, batch: 8, lr: [1e-3, -1]}"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("strata: " + dir.resolve("space.yaml") + ":9: recipe.lr[1]: must be positive, got -1");
    }
}
