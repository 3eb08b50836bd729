package dev.strata.core.plugins;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.strata.api.AttentionComponent;
import dev.strata.api.Component;
import dev.strata.api.MixerComponent;
import dev.strata.api.NormComponent;
import dev.strata.api.ResidualComponent;
import dev.strata.api.TaskProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;

/**
 * Loads every plugin jar in a folder with PF4J and collects their components into a
 * {@link ComponentRegistry}. Extensions are created through Guice.
 */
public final class PluginHost implements AutoCloseable {

    /** The extension points a plugin can implement. */
    private static final List<Class<? extends Component>> EXTENSION_POINTS = List.of(
            AttentionComponent.class, MixerComponent.class, NormComponent.class, ResidualComponent.class, TaskProvider.class);

    private final Path folder;
    private final PluginManager manager;
    private final ComponentRegistry registry;

    private PluginHost(Path folder, Injector injector) {
        this(folder, injector, null);
    }

    /** Loads every plugin in {@code folder}, or only {@code jars} when given. */
    private PluginHost(Path folder, Injector injector, List<Path> jars) {
        this.folder = folder;
        this.manager = new GuicePluginManager(folder, injector);
        if (jars == null) {
            manager.loadPlugins();
        } else {
            for (Path jar : jars) {
                manager.loadPlugin(jar);
            }
        }
        manager.startPlugins();
        this.registry = new ComponentRegistry(discover());
    }

    /**
     * Loads exactly the given plugin jars (for {@code strata plugins verify JAR...}).
     *
     * @throws IllegalArgumentException naming the first jar that does not exist or is not a plugin
     */
    public static PluginHost loadJars(List<Path> jars) {
        List<Path> absolute = new ArrayList<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("plugin jar " + jar + " does not exist");
            }
            absolute.add(jar.toAbsolutePath().normalize());
        }
        Path folder = absolute.isEmpty() ? Path.of(".").toAbsolutePath().normalize() : absolute.get(0).getParent();
        try {
            return new PluginHost(folder, Guice.createInjector(), absolute);
        } catch (org.pf4j.PluginRuntimeException e) {
            throw new IllegalArgumentException("cannot load plugin jar: " + e.getMessage(), e);
        }
    }

    /**
     * Loads the plugins in {@code folder}.
     *
     * @throws IllegalArgumentException if the folder does not exist
     */
    public static PluginHost load(Path folder) {
        return load(folder, Guice.createInjector());
    }

    public static PluginHost load(Path folder, Injector injector) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("plugins folder " + folder + " does not exist (build the project, or pass --plugins DIR)");
        }
        return new PluginHost(folder.toAbsolutePath().normalize(), injector);
    }

    public ComponentRegistry registry() {
        return registry;
    }

    public Path folder() {
        return folder;
    }

    /** Loaded plugins, for listings: id, version, jar. */
    public List<PluginWrapper> plugins() {
        return manager.getPlugins();
    }

    private List<ComponentInfo> discover() {
        // An extension implementing two points (rare) must be listed once.
        Map<Component, Boolean> seen = new IdentityHashMap<>();
        List<ComponentInfo> found = new ArrayList<>();
        for (Class<? extends Component> point : EXTENSION_POINTS) {
            for (Component c : manager.getExtensions(point)) {
                if (seen.put(c, Boolean.TRUE) != null) continue;
                PluginWrapper plugin = manager.whichPlugin(c.getClass());
                String pluginId = plugin == null ? "classpath" : plugin.getPluginId();
                String version = plugin == null ? "-" : plugin.getDescriptor().getVersion();
                found.add(new ComponentInfo(c, pluginId, version));
            }
        }
        return found;
    }

    @Override
    public void close() {
        // unloadPlugins() stops each plugin first; PF4J 3.15's stopPlugins() modifies the list it
        // iterates (ConcurrentModificationException), so it is not called.
        manager.unloadPlugins();
    }

    /** PF4J's default manager with extensions created by Guice. */
    private static final class GuicePluginManager extends DefaultPluginManager {
        GuicePluginManager(Path root, Injector injector) {
            super(root);
            // createExtensionFactory() runs inside super(), before our fields exist: set it here.
            this.extensionFactory = new GuiceExtensionFactory(injector);
        }
    }
}
