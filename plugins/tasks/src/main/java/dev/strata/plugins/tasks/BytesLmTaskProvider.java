package dev.strata.plugins.tasks;

import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.Extension;

/** Byte-level language modelling on a file the user names: predict each next byte. */
@Extension
public final class BytesLmTaskProvider implements TaskProvider {

    static final String ID = "task.bytes_lm";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Byte-level language modelling on a text file; the file's tail is the validation split";
    }

    @Override
    public String reference() {
        return "Character-Level Language Modeling with Deeper Self-Attention (Al-Rfou et al., 2019)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.text("file", "").describe("text file; a relative name is resolved against the search space's folder"),
                Dimension.integer("context", 64, 8, 4096).describe("bytes the model reads per sequence"),
                Dimension.real("validation_fraction", 0.1, 0.01, 0.5).describe("tail fraction of the file held out for validation"));
    }

    @Override
    public Task create(Params params, long seed, Path baseDir) {
        TaskParameters p = TaskParameters.resolve(ID, dimensions(), params);
        String name = p.text("file");
        if (name.isBlank()) {
            throw p.refuse("parameter 'file' is required (a text file, relative to the search space's folder)");
        }
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            throw p.refuse("file name '" + name + "' is not a valid path");
        }
        if (!path.isAbsolute() && baseDir != null) {
            path = baseDir.resolve(path);
        }
        path = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw p.refuse("file " + path + " not found");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException | OutOfMemoryError e) {
            throw p.refuse("cannot read file " + path + ": " + e.getMessage());
        }
        int context = p.integer("context");
        int validationBytes = (int) Math.round(data.length * p.real("validation_fraction"));
        int trainingBytes = data.length - validationBytes;
        int window = context + 1; // inputs plus the byte after the last input
        if (trainingBytes < window || validationBytes < window) {
            throw p.refuse("file " + path + " (" + data.length + " bytes) is too short for one window of context+1 = "
                    + window + " bytes in each split (training " + trainingBytes + ", validation " + validationBytes + " bytes)");
        }
        return new BytesLmTask(data, trainingBytes, context, seed);
    }
}
