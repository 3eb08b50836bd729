package dev.strata.core.space;

import java.nio.file.Path;

/**
 * A search space that cannot be used, with where: {@code file:line: key: reason}. Thrown before
 * anything is written to the results database.
 */
public final class SpaceException extends RuntimeException {

    private final Path file;
    private final int line;
    private final String key;

    public SpaceException(Path file, int line, String key, String reason) {
        super(format(file, line, key, reason));
        this.file = file;
        this.line = line;
        this.key = key;
    }

    private static String format(Path file, int line, String key, String reason) {
        StringBuilder b = new StringBuilder(String.valueOf(file));
        if (line > 0) b.append(':').append(line);
        b.append(": ");
        if (key != null && !key.isEmpty()) b.append(key).append(": ");
        // One line, whatever the cause said.
        return b.append(reason.replaceAll("\\s*\\R\\s*", " ").strip()).toString();
    }

    public Path file() {
        return file;
    }

    /** 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** Dotted key path such as {@code model.token_mixer}, or null. */
    public String key() {
        return key;
    }
}
