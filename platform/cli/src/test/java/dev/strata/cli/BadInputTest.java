package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad search spaces: one line naming file and line, exit code 2, and no database written. */
class BadInputTest {

    static final String GOOD = """
            task: {id: task.mqar, params: {pairs: 4, vocab: 32}}
            model:
              d_model: 32
              depth: 1
              token_mixer: {attention.mha: {heads: [1, 2]}}
              channel_mixer: mixer.mlp
              norm: norm.rms
              residual: residual.pre_norm
            recipe: {steps: 10, batch: 8}
            strategy: {population: 2, tournament: 1}
            budget: {trials: 2}
            """;

    @TempDir
    Path dir;

    private Cli search(String yaml) throws Exception {
        Path f = dir.resolve("space.yaml");
        Files.writeString(f, yaml);
        return Cli.run("search", f.toString(), "--db", dir.resolve("db/strata").toString(), "--plugins", TestPlugins.builtIn().toString(), "--quiet");
    }

    private void assertRefused(Cli r, String expectedLinePrefix, String expectedText) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n").startsWith("strata: " + dir.resolve("space.yaml") + expectedLinePrefix).contains(expectedText);
        assertThat(dir.resolve("db")).doesNotExist();
    }

    @Test
    void malformedYaml() throws Exception {
        assertRefused(search(GOOD.replace("depth: 1", "depth: [1, 2")), ":", "malformed YAML");
    }

    @Test
    void unknownComponentId() throws Exception {
        assertRefused(search(GOOD.replace("norm: norm.rms", "norm: norm.nope")), ":7: model.norm: ", "unknown component 'norm.nope'");
    }

    @Test
    void outOfRangeValue() throws Exception {
        assertRefused(search(GOOD.replace("heads: [1, 2]", "heads: [1, 200]")), ":5: model.token_mixer.attention.mha.heads[1]: ", "heads=200 is outside [1, 64]");
    }

    @Test
    void outOfRangeTaskValue() throws Exception {
        assertRefused(search(GOOD.replace("pairs: 4", "pairs: 0")), ":1: task.params.pairs: ", "pairs=0");
    }

    @Test
    void missingFile() throws Exception {
        Cli r = Cli.run("search", dir.resolve("nope.yaml").toString(), "--db", dir.resolve("db/strata").toString(), "--plugins", TestPlugins.builtIn().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml: no such file");
    }
}
