package dev.strata.api;

import java.nio.file.Path;

/**
 * A training task: a deterministic source of token sequences with targets, split into train and
 * validation sets that never overlap.
 */
public interface TaskProvider extends Component {

    @Override
    default ComponentKind kind() {
        return ComponentKind.TASK;
    }

    /**
     * Creates the task.
     *
     * @param params resolved task parameters
     * @param seed data seed: the same seed gives the same data
     * @param baseDir folder that relative file names are resolved against (the search space's)
     * @throws IllegalArgumentException with a one-line reason when the parameters cannot work
     */
    Task create(Params params, long seed, Path baseDir);
}
