package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin guide's path, for real: build the example plugin project under {@code examples/} with
 * its own Maven build (which runs the conformance kit as its tests), drop the jar into a plugins
 * folder, verify it with {@code strata plugins verify}, and search with the example's search space.
 */
class ExamplePluginTest {

    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final Path EXAMPLE = ROOT.resolve("examples/ema-mixer-plugin");

    @TempDir
    Path work;

    @Test
    void theExamplePluginBuildsVerifiesAndSearches() throws Exception {
        Path project = copyWithoutTarget(EXAMPLE, work.resolve("ema-mixer-plugin"));
        Path log = work.resolve("build.log");
        int rc = maven(project, log, "-B", "package");
        assertThat(rc).as("example build failed:\n%s", Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("Tests run: 18, Failures: 0, Errors: 0, Skipped: 0");
        Path jar = project.resolve("target/ema-mixer-plugin-1.0.0.jar");
        assertThat(jar).exists();

        Cli verify = Cli.run("plugins", "verify", jar.toString());
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(ExitCodes.OK);
        assertThat(verify.out()).containsPattern("mixer\\.ema\\s+3\\s+ok\\s+ok\\s+ok\\s+ok\\s+ok\\s+ok\\s+pass");

        Path plugins = TestPlugins.copyBuiltIn(work.resolve("plugins"));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        Path db = work.resolve("db/strata");
        Cli search = Cli.run("search", project.resolve("search.yaml").toString(), "--db", db.toString(),
                "--plugins", plugins.toString(), "--quiet");
        assertThat(search.exitCode()).as(search.toString()).isZero();
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            List<TrialSummary> trials = store.trials(store.searches().getFirst().id());
            assertThat(trials).hasSize(6).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
            assertThat(trials).anySatisfy(t -> assertThat(t.summary()).contains("mixer.ema"));
            assertThat(trials).anySatisfy(t -> assertThat(t.summary()).contains("attention.mha"));
        }
    }

    /** Runs the Maven that runs this build, with this JDK, in {@code dir}; output to {@code log}. */
    private static int maven(Path dir, Path log, String... args) throws IOException, InterruptedException {
        String home = System.getProperty("maven.home");
        String mvn = home != null && Files.isExecutable(Path.of(home, "bin", "mvn")) ? Path.of(home, "bin", "mvn").toString() : "mvn";
        List<String> command = new ArrayList<>(List.of(mvn));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("example build took over 5 minutes; see " + log);
        }
        return p.exitValue();
    }

    private static Path copyWithoutTarget(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(f -> !from.relativize(f).startsWith("target")).toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(dest);
                else Files.copy(f, dest);
            }
        }
        return to;
    }
}
