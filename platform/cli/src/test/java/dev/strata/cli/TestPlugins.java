package dev.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The built-in plugin jars the build collected, copied into a test's own plugins folder. */
final class TestPlugins {

    private TestPlugins() {}

    static Path builtIn() {
        String dir = System.getProperty("strata.plugins.dir");
        Path p = Path.of(dir == null ? "../../build/plugins" : dir);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("no built plugins at " + p + ": run 'mvn install' (plugins are packaged before the CLI is tested)");
        }
        return p;
    }

    static Path copyBuiltIn(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> jars = Files.list(builtIn())) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, target.resolve(jar.getFileName()));
            }
        }
        return target;
    }
}
