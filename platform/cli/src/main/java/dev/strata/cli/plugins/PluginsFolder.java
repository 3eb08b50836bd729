package dev.strata.cli.plugins;

import dev.strata.cli.StrataPaths;
import dev.strata.core.plugins.PluginHost;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --plugins DIR} option shared by the plugins commands. */
final class PluginsFolder {

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder (default: STRATA_PLUGINS or build/plugins).")
    Path folder;

    PluginHost load() {
        return PluginHost.load(folder != null ? folder : StrataPaths.defaultPlugins());
    }
}
