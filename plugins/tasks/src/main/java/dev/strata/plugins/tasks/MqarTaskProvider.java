package dev.strata.plugins.tasks;

import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.Extension;

/**
 * Multi-query associative recall: a list of key-value pairs, then keys again; the model must answer
 * each with its value. It separates attention from most sub-quadratic token mixers at small scale.
 */
@Extension
public final class MqarTaskProvider implements TaskProvider {

    static final String ID = "task.mqar";

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
        return "Multi-query associative recall: k1 v1 ... kN vN, then queried keys answered by their values";
    }

    @Override
    public String reference() {
        return "Zoology: Measuring and Improving Recall in Efficient Language Models (Arora et al., 2023)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer("pairs", 8, 1, 256).describe("key-value pairs per sequence"),
                Dimension.integer("vocab", 64, 8, 8192)
                        .describe("total tokens: the first half are keys, the second half values"),
                Dimension.integer("queries", 0, 0, 256)
                        .describe("keys queried per sequence, each at most once; 0 means every pair"),
                Dimension.integer("validation_size", 512, 1, 1_000_000).describe("fixed validation sequences"));
    }

    @Override
    public Task create(Params params, long seed, Path baseDir) {
        TaskParameters p = TaskParameters.resolve(ID, dimensions(), params);
        int pairs = p.integer("pairs");
        int vocab = p.integer("vocab");
        int queries = p.integer("queries") == 0 ? pairs : p.integer("queries");
        int validationSize = p.integer("validation_size");
        if (pairs > vocab / 2) {
            throw p.refuse("pairs=" + pairs + " needs vocab >= " + 2 * pairs
                    + " (keys are distinct and drawn from the first half of the vocabulary), got vocab=" + vocab);
        }
        if (queries > pairs) {
            throw p.refuse("queries=" + queries + " exceeds pairs=" + pairs + " (0 means all pairs)");
        }
        MqarSource source = new MqarSource(pairs, vocab, queries);
        SyntheticTask.requireRoom(p, source, validationSize,
                "pairs=" + pairs + ", vocab=" + vocab + ", queries=" + queries, "raise pairs or vocab");
        return new SyntheticTask(source, seed, validationSize);
    }
}
