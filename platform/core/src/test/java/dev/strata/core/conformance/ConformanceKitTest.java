package dev.strata.core.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.BuildContext;
import dev.strata.api.Component;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceBlock;
import dev.strata.api.Sublayers;
import dev.strata.core.conformance.CheckResult.Status;
import dev.strata.core.model.TestComponents;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kit must pass honest components and catch each kind of defect it claims to catch, with a
 * detail that says what it measured. One deliberately broken component per check.
 */
class ConformanceKitTest {

    private final ConformanceKit kit = new ConformanceKit(ConformanceKit.Settings.defaults().withAllVariants(false));

    private ComponentReport only(Component c) {
        List<ComponentReport> reports = kit.verify(c);
        assertThat(reports).hasSize(1);
        return reports.get(0);
    }

    private static Status status(ComponentReport r, Check check) {
        return r.result(check).orElseThrow().status();
    }

    @Test
    void anHonestCausalMixerPassesEveryCheck() {
        ComponentReport r = only(new Shift());
        assertThat(r.failures()).isEmpty();
        assertThat(r.passed()).isTrue();
        assertThat(r.results()).extracting(CheckResult::check).containsExactly(Check.values());
        assertThat(r.result(Check.PARAMETER_COUNT).orElseThrow().detail()).startsWith(2 * (32 * 32 + 32 * 32 + 32) + " ");
    }

    @Test
    void aTokenMixerThatReadsTheNextTokenIsCaughtByTheCausalityCheck() {
        ComponentReport r = only(new Leaky());
        assertThat(status(r, Check.CAUSALITY)).isEqualTo(Status.FAIL);
        assertThat(r.result(Check.CAUSALITY).orElseThrow().detail()).startsWith("reads the future: max change");
        // Everything else about it is fine: the failure is specific.
        assertThat(r.failures()).hasSize(1);
    }

    @Test
    void aComponentThatIsNotCausalSafeSkipsTheCausalityCheck() {
        ComponentReport r = only(new TestComponents.GlobalMeanMixer());
        assertThat(status(r, Check.CAUSALITY)).isEqualTo(Status.SKIP);
        assertThat(status(r, Check.SHAPE)).isEqualTo(Status.PASS);
    }

    @Test
    void aWrongOrMissingParameterCountFails() {
        ComponentReport wrong = only(new Shift() {
            @Override public long parameterCount(BuildContext ctx, Params p) { return 7; }
        });
        assertThat(wrong.result(Check.PARAMETER_COUNT).orElseThrow())
                .satisfies(c -> assertThat(c.status()).isEqualTo(Status.FAIL))
                .satisfies(c -> assertThat(c.detail()).isEqualTo("declared 14 but measured 4160 parameters"));
        ComponentReport undeclared = only(new TestComponents.ShiftMixer());
        assertThat(undeclared.result(Check.PARAMETER_COUNT).orElseThrow().detail()).startsWith("parameterCount() not declared; measured");
    }

    @Test
    void aParameterTheForwardPassNeverUsesHasNoGradient() {
        ComponentReport r = only(new DeadParameter());
        assertThat(status(r, Check.GRADIENTS)).isEqualTo(Status.FAIL);
        assertThat(r.result(Check.GRADIENTS).orElseThrow().detail()).contains("unused: no gradient");
    }

    @Test
    void overflowOnLargeInputsIsCaught() {
        ComponentReport r = only(new Exponential());
        assertThat(status(r, Check.LARGE_INPUTS)).isEqualTo(Status.FAIL);
        assertThat(r.result(Check.LARGE_INPUTS).orElseThrow().detail()).startsWith("non-finite output for inputs x100");
    }

    @Test
    void initialisationThatIgnoresTheSeedIsCaught() {
        ComponentReport r = only(new Unseeded());
        assertThat(status(r, Check.DETERMINISM)).isEqualTo(Status.FAIL);
        assertThat(r.result(Check.DETERMINISM).orElseThrow().detail()).startsWith("two builds with the same seed differ");
    }

    @Test
    void residualOperatorsAreCheckedWithStandInSublayersAndTheirOwnParametersCounted() {
        ComponentReport r = only(new GatedPreNorm());
        assertThat(r.failures()).isEmpty();
        // Two layers, one gate each; the gate starts at zero, so the sublayers' gradients are only
        // seen after the kit moves the parameters.
        assertThat(r.result(Check.PARAMETER_COUNT).orElseThrow().detail()).isEqualTo("2 own parameters (sublayers excluded)");
        assertThat(r.result(Check.GRADIENTS).orElseThrow().detail()).contains("after moving zero-initialised parameters");
    }

    @Test
    void variantsChangeOneSearchValueAtATimeAndARefusedVariantIsSkippedNotFailed() {
        List<Params> variants = ConformanceKit.variants(new Shift());
        assertThat(variants).extracting(Params::toString).containsExactly("{}", "{gain=1}", "{gain=3}");
        List<ComponentReport> reports = new ConformanceKit().verify(new Shift());
        assertThat(reports).hasSize(3);
        assertThat(reports.get(0).passed()).isTrue();
        assertThat(reports.get(1).passed()).isTrue();
        ComponentReport refused = reports.get(2);
        assertThat(refused.passed()).isTrue();
        assertThat(refused.results()).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(Status.SKIP);
            assertThat(c.detail()).isEqualTo("build refused: mixer.kit_shift: gain 3 is not allowed");
        });
    }

    @Test
    void defaultsThatDoNotBuildFail() {
        ComponentReport r = only(new Shift() {
            @Override public Block build(BuildContext ctx, Params p) { throw new IllegalArgumentException("never builds"); }
        });
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).first().asString().endsWith("shape: build refused: never builds");
    }

    @Test
    void tasksAreNotSequenceComponents() {
        assertThat(kit.verify(new TestComponents.CopyPreviousTask())).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------

    abstract static class Mixer implements MixerComponent {
        @Override public String version() { return "1"; }
        @Override public String description() { return "kit test"; }
        @Override public String reference() { return "none"; }
        @Override public MixerRole role() { return MixerRole.TOKEN; }
    }

    /** y_t = A x_t + B x_{t-1} + gain * bias-ish term: causal, counted, seeded. Gain 3 is refused. */
    static class Shift extends Mixer {
        @Override public String id() { return "mixer.kit_shift"; }

        @Override
        public List<Dimension> dimensions() {
            return List.of(Dimension.integer("gain", 2, 1, 3, 1, 2, 3));
        }

        @Override
        public Block build(BuildContext ctx, Params p) {
            if (p.getInt("gain") == 3) throw new IllegalArgumentException(id() + ": gain 3 is not allowed");
            return new ShiftBlock(ctx.dModel(), 0);
        }

        @Override
        public long parameterCount(BuildContext ctx, Params p) {
            long d = ctx.dModel();
            return d * d + d + d * d;
        }
    }

    /** Reads x_{t+lookahead} when lookahead is 1. */
    static class ShiftBlock extends SequenceBlock {
        private final Linear current;
        private final Linear other;
        private final int lookahead;

        ShiftBlock(int d, int lookahead) {
            this.lookahead = lookahead;
            current = addChildBlock("current", Linear.builder().setUnits(d).build());
            other = addChildBlock("other", Linear.builder().setUnits(d).optBias(false).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray x = in.head();
            Shape s = x.getShape();
            NDArray zeros = x.getManager().zeros(new Shape(s.get(0), 1, s.get(2)));
            NDArray moved = lookahead == 0
                    ? NDArrays.concat(new NDList(zeros, x.get(":, :-1, :")), 1)
                    : NDArrays.concat(new NDList(x.get(":, 1:, :"), zeros), 1);
            return new NDList(current.forward(ps, new NDList(x), training).head()
                    .add(other.forward(ps, new NDList(moved), training).head()));
        }
    }

    static final class Leaky extends Shift {
        @Override public String id() { return "mixer.kit_leaky"; }
        @Override public List<Dimension> dimensions() { return List.of(); }
        @Override public Block build(BuildContext ctx, Params p) { return new ShiftBlock(ctx.dModel(), 1); }
    }

    static final class DeadParameter extends Mixer {
        @Override public String id() { return "mixer.kit_dead"; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new SequenceBlock() {
                private final Linear used = addChildBlock("used", Linear.builder().setUnits(ctx.dModel()).build());
                private final Parameter unused = addParameter(Parameter.builder().setName("unused")
                        .setType(Parameter.Type.OTHER).optShape(new Shape(3)).build());

                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    return used.forward(ps, in, training);
                }
            };
        }

        @Override public long parameterCount(BuildContext ctx, Params p) { return (long) ctx.dModel() * ctx.dModel() + ctx.dModel() + 3; }
    }

    static final class Exponential extends Mixer {
        @Override public String id() { return "mixer.kit_exp"; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            return new SequenceBlock() {
                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    return new NDList(in.head().exp().cumSum(1));
                }
            };
        }

        @Override public long parameterCount(BuildContext ctx, Params p) { return 0; }
    }

    static final class Unseeded extends Mixer {
        @Override public String id() { return "mixer.kit_unseeded"; }

        @Override
        public Block build(BuildContext ctx, Params p) {
            Random random = new Random();
            return new SequenceBlock() {
                private final Parameter scale = addParameter(Parameter.builder().setName("scale").setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(ctx.dModel()))
                        .optInitializer((manager, shape, type) -> {
                            float[] v = new float[(int) shape.size()];
                            for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
                            return manager.create(v, shape);
                        }).build());

                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    NDArray x = in.head();
                    return new NDList(x.mul(ps.getValue(scale, x.getDevice(), training)));
                }
            };
        }

        @Override public long parameterCount(BuildContext ctx, Params p) { return ctx.dModel(); }
    }

    /** x + g * tok(norm(x)) + g * ch(norm(x)) with one zero-initialised gate g per layer. */
    static final class GatedPreNorm implements ResidualComponent {
        @Override public String id() { return "residual.kit_gated"; }
        @Override public String version() { return "1"; }
        @Override public String description() { return "kit test"; }
        @Override public String reference() { return "none"; }
        @Override public long parameterCount(BuildContext ctx, Params p) { return 1; }

        @Override
        public Block wrap(BuildContext ctx, Params p, Sublayers s) {
            return new SequenceBlock() {
                private final Block norm1 = addChildBlock("norm1", s.newNorm());
                private final Block token = addChildBlock("token", s.tokenMixer());
                private final Block norm2 = addChildBlock("norm2", s.newNorm());
                private final Block channel = addChildBlock("channel", s.channelMixer());
                private final Parameter gate = addParameter(Parameter.builder().setName("gate").setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(1)).optInitializer(new ai.djl.training.initializer.ConstantInitializer(0f)).build());

                @Override
                protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                    NDArray x = in.head();
                    NDArray g = ps.getValue(gate, x.getDevice(), training);
                    x = x.add(token.forward(ps, norm1.forward(ps, new NDList(x), training), training).head().mul(g));
                    x = x.add(channel.forward(ps, norm2.forward(ps, new NDList(x), training), training).head().mul(g));
                    return new NDList(x);
                }
            };
        }
    }
}
