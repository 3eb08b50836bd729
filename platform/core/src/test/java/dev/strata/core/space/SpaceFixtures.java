package dev.strata.core.space;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.AttentionComponent;
import dev.strata.api.Batch;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.ComponentRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Components for search-space and search tests: real API implementations that are never trained
 * here (their blocks are identities), registered without PF4J.
 */
public final class SpaceFixtures {

    private SpaceFixtures() {}

    public static ComponentRegistry registry() {
        return new ComponentRegistry(List.of(
                info(new Attention()), info(new LeakyMixer()), info(new Mlp()), info(new Norm("norm.a")), info(new Norm("norm.b")),
                info(new Residual()), info(new ToyTask())));
    }

    private static ComponentInfo info(dev.strata.api.Component c) {
        return new ComponentInfo(c, "test-plugin", "0.0.1");
    }

    /** Writes {@code yaml} to a file in {@code dir} and returns it. */
    public static Path write(Path dir, String name, String yaml) throws java.io.IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    static final class Identity extends SequenceBlock {
        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            return inputs;
        }
    }

    record Attention() implements AttentionComponent {
        public String id() { return "attention.test"; }
        public String version() { return "1"; }
        public String description() { return "test attention"; }
        public String reference() { return "none"; }
        public List<Dimension> dimensions() { return List.of(Dimension.integer("heads", 2, 1, 8, 1, 2, 4)); }
        public Block build(BuildContext ctx, Params p) { return new Identity(); }
    }

    record LeakyMixer() implements MixerComponent {
        public String id() { return "mixer.leaky"; }
        public String version() { return "1"; }
        public String description() { return "reads the future"; }
        public String reference() { return "none"; }
        public MixerRole role() { return MixerRole.TOKEN; }
        public boolean causalSafe() { return false; }
        public Block build(BuildContext ctx, Params p) { return new Identity(); }
    }

    record Mlp() implements MixerComponent {
        public String id() { return "mixer.test_mlp"; }
        public String version() { return "1"; }
        public String description() { return "test mlp"; }
        public String reference() { return "none"; }
        public MixerRole role() { return MixerRole.CHANNEL; }
        public List<Dimension> dimensions() {
            return List.of(Dimension.integer("expansion", 4, 1, 8, 2, 4), Dimension.choice("activation", "gelu", "gelu", "relu2"));
        }
        public Block build(BuildContext ctx, Params p) { return new Identity(); }
    }

    record Norm(String id) implements NormComponent {
        public String version() { return "1"; }
        public String description() { return "test norm"; }
        public String reference() { return "none"; }
        public Block build(BuildContext ctx, Params p) { return new Identity(); }
    }

    record Residual() implements ResidualComponent {
        public String id() { return "residual.test"; }
        public String version() { return "1"; }
        public String description() { return "test residual"; }
        public String reference() { return "none"; }
        public Block wrap(BuildContext ctx, Params p, Sublayers s) { return new Identity(); }
    }

    /** A causal task whose 'size' must be in [1, 100]. */
    record ToyTask() implements TaskProvider {
        public String id() { return "task.toy"; }
        public String version() { return "1"; }
        public String description() { return "toy"; }
        public String reference() { return "none"; }
        public List<Dimension> dimensions() { return List.of(Dimension.integer("size", 10, 1, 100)); }
        public Task create(Params p, long seed, Path baseDir) {
            int size = p.getInt("size");
            return new Task() {
                public int vocabSize() { return size; }
                public int sequenceLength() { return 4; }
                public Batch trainBatch(long index, int n) { throw new UnsupportedOperationException("not trained in space tests"); }
                public int validationSize() { return 0; }
                public Batch validationBatch(int from, int count) { throw new UnsupportedOperationException("not trained in space tests"); }
                public double baselineLoss() { return Math.log(size); }
                public String baselineName() { return "uniform"; }
            };
        }
    }
}
