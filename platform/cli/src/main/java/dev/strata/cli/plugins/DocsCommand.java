package dev.strata.cli.plugins;

import dev.strata.cli.ExitCodes;
import dev.strata.core.plugins.PluginHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata plugins docs}: the component catalogue as Markdown, generated from the components. */
@Command(name = "docs", mixinStandardHelpOptions = true,
        description = "Write the component catalogue (Markdown) generated from the installed components.")
final class DocsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PluginsFolder plugins;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE (e.g. docs/components.md) instead of standard output.")
    Path out;

    @Option(names = "--check", description = "Do not write: exit 1 if FILE (--out) differs from what would be generated.")
    boolean check;

    @Override
    public Integer call() throws IOException {
        String markdown;
        try (PluginHost host = plugins.load()) {
            markdown = ComponentCatalogue.markdown(host.registry().all());
        }
        if (out == null) {
            if (check) throw new IllegalArgumentException("--check needs --out FILE");
            spec.commandLine().getOut().print(markdown);
            return ExitCodes.OK;
        }
        if (check) {
            String current = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            if (!current.equals(markdown)) {
                spec.commandLine().getErr().println("strata: " + out + " is out of date: run 'bin/strata plugins docs --out " + out + "'");
                return ExitCodes.FAILED;
            }
            spec.commandLine().getOut().println(out + " is up to date");
            return ExitCodes.OK;
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(out, markdown, StandardCharsets.UTF_8);
        spec.commandLine().getOut().println("wrote " + out);
        return ExitCodes.OK;
    }
}
