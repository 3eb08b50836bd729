package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata plugins verify} and {@code strata plugins docs} on real jars. */
class PluginsCommandTest {

    @TempDir
    Path work;

    @Test
    void verifyCatchesATokenMixerThatReadsTheNextTokenAndExitsNonZero() throws Exception {
        Path jars = Files.createDirectories(work.resolve("jars"));
        Path leaky = ExternalPlugin.build("/leaky-plugin", "leaky-demo", "0.1.0", Files.createDirectories(work.resolve("leaky")), jars);
        Path good = ExternalPlugin.build(Files.createDirectories(work.resolve("good")), jars);

        Cli both = Cli.run("plugins", "verify", leaky.toString(), good.toString());
        assertThat(both.exitCode()).as(both.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(both.out()).containsPattern("leaky\\.next_token\\s+1\\s+ok\\s+FAIL\\s+ok\\s+ok\\s+ok\\s+ok\\s+FAIL");
        assertThat(both.out()).containsPattern("external\\.cumulative_mean\\s+1\\s+ok\\s+ok\\s+ok\\s+ok\\s+ok\\s+ok\\s+pass");
        assertThat(both.out()).contains("FAIL leaky.next_token {}: causal: reads the future: max change");
        assertThat(both.out()).contains("2 components checked: 1 passed, 1 failed");

        Cli goodOnly = Cli.run("plugins", "verify", good.toString(), "--json");
        assertThat(goodOnly.exitCode()).as(goodOnly.toString()).isEqualTo(ExitCodes.OK);
        assertThat(goodOnly.out()).contains("\"component\" : \"external.cumulative_mean\"", "\"passed\" : true",
                "\"plugin\" : \"external-demo@1.2.3\"");
    }

    @Test
    void verifyRefusesAMissingJarInOneLine() {
        Cli r = Cli.run("plugins", "verify", work.resolve("nope.jar").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).isEqualTo("strata: plugin jar " + work.resolve("nope.jar") + " does not exist");
    }

    @Test
    void theCatalogueInDocsIsGeneratedFromTheInstalledComponents() {
        Path docs = Path.of(System.getProperty("strata.root", "../..")).resolve("docs/components.md");
        Cli check = Cli.run("plugins", "docs", "--plugins", TestPlugins.builtIn().toString(), "--out", docs.toString(), "--check");
        assertThat(check.exitCode()).as("docs/components.md is stale: run 'bin/strata plugins docs --out docs/components.md'\n" + check)
                .isEqualTo(ExitCodes.OK);
        Cli printed = Cli.run("plugins", "docs", "--plugins", TestPlugins.builtIn().toString());
        assertThat(printed.out()).contains("# Component catalogue", "## Attention", "| `attention.mha` 1.0 |", "## Tasks");
    }
}
