package dev.strata.plugins.tasks;

import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.Extension;

/** n-digit addition written as a token sequence, the sum least-significant digit first. */
@Extension
public final class AdditionTaskProvider implements TaskProvider {

    static final String ID = "task.addition";

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
        return "n-digit addition 'a+b=' answered least-significant digit first; scored on the answer digits";
    }

    @Override
    public String reference() {
        return "Teaching Arithmetic to Small Transformers (Lee et al., 2023): reversed output digits";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer("digits", 3, 1, 12).describe("digits per operand (zero-padded)"),
                Dimension.integer("validation_size", 512, 1, 1_000_000).describe("fixed validation sequences"));
    }

    @Override
    public Task create(Params params, long seed, Path baseDir) {
        TaskParameters p = TaskParameters.resolve(ID, dimensions(), params);
        int digits = p.integer("digits");
        int validationSize = p.integer("validation_size");
        AdditionSource source = new AdditionSource(digits);
        SyntheticTask.requireRoom(p, source, validationSize, "digits=" + digits, "raise digits");
        return new SyntheticTask(source, seed, validationSize);
    }
}
