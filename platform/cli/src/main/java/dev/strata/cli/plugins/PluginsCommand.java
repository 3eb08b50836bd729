package dev.strata.cli.plugins;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strata plugins ...}: what the plugin jars provide, whether it conforms, and its catalogue. */
@Command(name = "plugins", description = "Inspect, verify and document the component plugins.",
        subcommands = {ListCommand.class, VerifyCommand.class, DocsCommand.class, BenchCommand.class})
public final class PluginsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
