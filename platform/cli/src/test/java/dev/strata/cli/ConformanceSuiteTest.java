package dev.strata.cli;

import dev.strata.api.Component;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.PluginHost;
import dev.strata.testkit.ConformanceTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit over every component discovered the way a search discovers them: the
 * built-in plugin jars plus a third-party jar compiled outside the build, all loaded by PF4J from
 * one folder. One dynamic test per component, variant and check.
 */
class ConformanceSuiteTest {

    @TempDir
    static Path work;

    private static PluginHost host;

    @BeforeAll
    static void loadPlugins() throws Exception {
        Path folder = TestPlugins.copyBuiltIn(work.resolve("plugins"));
        ExternalPlugin.build(Files.createDirectories(work.resolve("external")), folder);
        host = PluginHost.load(folder);
    }

    @AfterAll
    static void unload() {
        if (host != null) host.close();
    }

    @TestFactory
    Stream<DynamicNode> everyDiscoveredComponentConforms() {
        List<Component> components = host.registry().all().stream().map(ComponentInfo::component).toList();
        return ConformanceTests.forComponents(components);
    }
}
