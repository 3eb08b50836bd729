package dev.strata.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a plugin jar the way a third party would: javac against platform/api (plus DJL and PF4J)
 * with PF4J's annotation processor, then a jar with the PF4J manifest. Nothing of the Strata build
 * is involved.
 */
final class ExternalPlugin {

    static final String PLUGIN_ID = "external-demo";
    static final String COMPONENT_ID = "external.cumulative_mean";

    private ExternalPlugin() {}

    /** Compiles the test plugin source and writes {@code external-demo.jar} into {@code pluginsDir}. */
    static Path build(Path work, Path pluginsDir) throws IOException, URISyntaxException {
        return build("/external-plugin", PLUGIN_ID, "1.2.3", work, pluginsDir);
    }

    /** Compiles the plugin sources under test resource folder {@code resource} into {@code pluginsDir/pluginId.jar}. */
    static Path build(String resource, String pluginId, String version, Path work, Path pluginsDir)
            throws IOException, URISyntaxException {
        Path src = Path.of(ExternalPlugin.class.getResource(resource).toURI());
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of(
                "--release", "25", "-proc:full", "-classpath", System.getProperty("java.class.path"), "-d", classes.toString()));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) throw new IllegalStateException("javac failed with " + rc);
        if (!Files.exists(classes.resolve("META-INF/extensions.idx"))) {
            throw new IllegalStateException("PF4J's annotation processor wrote no extensions.idx");
        }
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", pluginId);
        a.putValue("Plugin-Version", version);
        a.putValue("Plugin-Provider", "Example Lab");
        Path jar = pluginsDir.resolve(pluginId + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
        return jar;
    }
}
