package dev.strata.cli;

import java.nio.file.Path;

/**
 * Where things live by default. {@code bin/strata} sets {@code strata.home} to the repository
 * root, so the defaults do not depend on the directory the user runs it from.
 */
public final class StrataPaths {

    private StrataPaths() {}

    /** The Strata installation: -Dstrata.home, else the current directory. */
    public static Path home() {
        String home = System.getProperty("strata.home");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
    }

    /** Plugins folder: STRATA_PLUGINS, else the folder the build fills (build/plugins). */
    public static Path defaultPlugins() {
        String env = System.getenv("STRATA_PLUGINS");
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath() : home().resolve("build/plugins");
    }

    /** Results database (without the .mv.db suffix): STRATA_DB, else results/strata under home. */
    public static String defaultDatabase() {
        String env = System.getenv("STRATA_DB");
        return env != null && !env.isBlank() ? env : home().resolve("results/strata").toString();
    }
}
