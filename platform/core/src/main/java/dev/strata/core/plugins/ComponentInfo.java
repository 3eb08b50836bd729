package dev.strata.core.plugins;

import dev.strata.api.Component;

/** A discovered component with the plugin that provides it. */
public record ComponentInfo(Component component, String pluginId, String pluginVersion) {

    public String id() {
        return component.id();
    }

    /** What is recorded with each trial: {@code pluginId@pluginVersion/componentVersion}. */
    public String provenance() {
        return pluginId + "@" + pluginVersion + "/" + component.version();
    }
}
