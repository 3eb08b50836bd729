package dev.strata.cli;

import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.PluginHost;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata plugins ...}: what the plugins folder provides. */
@Command(name = "plugins", description = "Inspect the component plugins.", subcommands = PluginsCommand.ListCommand.class)
public final class PluginsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code strata plugins list}: one row per component. */
    @Command(name = "list", description = "List every component the plugin jars provide.")
    static final class ListCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder (default: STRATA_PLUGINS or build/plugins).")
        Path plugins;

        @Override
        public Integer call() {
            Path folder = plugins != null ? plugins : StrataPaths.defaultPlugins();
            try (PluginHost host = PluginHost.load(folder)) {
                TextTable table = new TextTable(80, "KIND", "ID", "VERSION", "PLUGIN", "DESCRIPTION");
                for (ComponentInfo c : host.registry().all()) {
                    table.row(c.component().kind().name().toLowerCase(), c.id(), c.component().version(),
                            c.pluginId() + "@" + c.pluginVersion(), c.component().description());
                }
                table.print(spec.commandLine().getOut());
                spec.commandLine().getOut().printf("%d components from %d plugins in %s%n",
                        host.registry().all().size(), host.plugins().size(), host.folder());
                return ExitCodes.OK;
            }
        }
    }
}
