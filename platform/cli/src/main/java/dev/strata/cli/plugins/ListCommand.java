package dev.strata.cli.plugins;

import dev.strata.cli.ExitCodes;
import dev.strata.cli.TextTable;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.PluginHost;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strata plugins list}: one row per component. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List every component the plugin jars provide.")
final class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PluginsFolder plugins;

    @Override
    public Integer call() {
        try (PluginHost host = plugins.load()) {
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
