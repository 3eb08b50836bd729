package dev.strata.core.plugins;

import com.google.inject.Injector;
import org.pf4j.ExtensionFactory;

/**
 * Lets Guice create plugin extensions, so a component may {@code @Inject} what the host binds.
 * PF4J has no official Guice integration; asking the injector for each class is all it takes.
 */
final class GuiceExtensionFactory implements ExtensionFactory {

    private final Injector injector;

    GuiceExtensionFactory(Injector injector) {
        this.injector = injector;
    }

    @Override
    public <T> T create(Class<T> extensionClass) {
        return injector.getInstance(extensionClass);
    }
}
