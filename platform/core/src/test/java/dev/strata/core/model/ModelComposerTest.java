package dev.strata.core.model;

import static dev.strata.core.model.TestComponents.CUMMEAN;
import static dev.strata.core.model.TestComponents.GLOBAL_MEAN;
import static dev.strata.core.model.TestComponents.IDENTITY;
import static dev.strata.core.model.TestComponents.MLP;
import static dev.strata.core.model.TestComponents.PRE_NORM;
import static dev.strata.core.model.TestComponents.SHIFT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.plugins.ComponentRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelComposerTest {

    private final ComponentRegistry registry = TestComponents.registry();
    private final ModelComposer composer = new ModelComposer(registry);

    @Test
    void buildsLogitsOfShapeBatchSeqVocab() {
        Engine.getInstance().setRandomSeed(1);
        CandidateModel model = composer.compose(TestComponents.architecture(16, 2, SHIFT), 11, 8, true);
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(3, 8));
            NDArray ids = m.create(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 10, 9, 8, 7, 6, 5, 4, 3}, new Shape(3, 8));
            NDArray logits = model.forward(new ParameterStore(m, false), new NDList(ids), false).singletonOrThrow();
            assertThat(logits.getShape()).isEqualTo(new Shape(3, 8, 11));
            assertThat(model.layerState().layerOutputs()).hasSize(2);
            assertThat(model.layerState().embedding().getShape()).isEqualTo(new Shape(3, 8, 16));
            // A shorter sequence uses the first position embeddings.
            NDArray shorter = model.forward(new ParameterStore(m, false), new NDList(ids.get(":, :5")), true).singletonOrThrow();
            assertThat(shorter.getShape()).isEqualTo(new Shape(3, 5, 11));
            // embeddings 11*16 + 8*16; per layer shift (16*16+16 + 16*16) + mlp (16*32+32 + 32*16+16); head 16*11+11
            long perLayer = (16 * 16 + 16 + 16 * 16) + (16 * 32 + 32 + 32 * 16 + 16);
            assertThat(model.parameterCount()).isEqualTo(11 * 16 + 8 * 16 + 2 * perLayer + 16 * 11 + 11);
        }
    }

    @Test
    void composedModelIsCausal() {
        Engine.getInstance().setRandomSeed(2);
        CandidateModel model = composer.compose(TestComponents.architecture(8, 2, CUMMEAN), 5, 6, true);
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(1, 6));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray a = model.forward(ps, new NDList(m.create(new int[] {1, 2, 3, 4, 0, 1}, new Shape(1, 6))), false).head();
            NDArray b = model.forward(ps, new NDList(m.create(new int[] {1, 2, 3, 0, 4, 4}, new Shape(1, 6))), false).head();
            assertThat(a.get(":, :3").allClose(b.get(":, :3"))).isTrue();
            assertThat(a.get(":, 3:").allClose(b.get(":, 3:"))).isFalse();
        }
    }

    @Test
    void refusesUnknownComponent() {
        Architecture arch = TestComponents.architecture(8, 1, "attention.nope");
        assertThatThrownBy(() -> composer.compose(arch, 5, 6, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown component 'attention.nope' in the token mixer slot (layer 0)");
    }

    @Test
    void refusesComponentOfWrongKind() {
        assertThatThrownBy(() -> composer.compose(TestComponents.architecture(8, 1, MLP), 5, 6, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("component 'mixer.test_mlp' is a CHANNEL_MIXER and cannot fill the token mixer slot (layer 0)");
        Architecture normAsResidual = new Architecture(8, List.of(new LayerSpec(ComponentRef.of(SHIFT), ComponentRef.of(MLP),
                ComponentRef.of(IDENTITY), ComponentRef.of(IDENTITY))), ComponentRef.of(IDENTITY));
        assertThatThrownBy(() -> composer.compose(normAsResidual, 5, 6, true))
                .hasMessage("component 'norm.test_identity' is a NORM and cannot fill the residual slot (layer 0)");
        Architecture residualAsFinalNorm = new Architecture(8, List.of(new LayerSpec(ComponentRef.of(SHIFT), ComponentRef.of(MLP),
                ComponentRef.of(IDENTITY), ComponentRef.of(PRE_NORM))), ComponentRef.of(PRE_NORM));
        assertThatThrownBy(() -> composer.compose(residualAsFinalNorm, 5, 6, true))
                .hasMessage("component 'residual.test_pre_norm' is a RESIDUAL and cannot fill the final norm slot");
    }

    @Test
    void refusesNonCausalSafeMixerOnCausalTask() {
        Architecture arch = TestComponents.architecture(8, 2, GLOBAL_MEAN);
        assertThatThrownBy(() -> composer.compose(arch, 5, 6, true, "task.copy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token mixer 'mixer.test_global_mean' is not causal-safe and cannot be used on causal task 'task.copy'");
        try (NDManager m = NDManager.newBaseManager()) {
            CandidateModel model = composer.compose(arch, 5, 6, false);
            model.initialize(m, DataType.FLOAT32, new Shape(2, 6));
            NDArray out = model.forward(new ParameterStore(m, false), new NDList(m.zeros(new Shape(2, 6), DataType.INT32)), false).head();
            assertThat(out.getShape()).isEqualTo(new Shape(2, 6, 5));
        }
    }

    @Test
    void validatesParametersAgainstDimensions() {
        Architecture outOfRange = new Architecture(8, List.of(new LayerSpec(ComponentRef.of(SHIFT),
                ComponentRef.of(MLP, Map.of("expansion", 99)), ComponentRef.of(IDENTITY), ComponentRef.of(PRE_NORM))),
                ComponentRef.of(IDENTITY));
        assertThatThrownBy(() -> composer.validate(outOfRange, true, null))
                .hasMessage("component 'mixer.test_mlp': expansion=99 is outside [1, 8]");
        Architecture unknownParam = new Architecture(8, List.of(new LayerSpec(ComponentRef.of(SHIFT, Map.of("width", 3)),
                ComponentRef.of(MLP), ComponentRef.of(IDENTITY), ComponentRef.of(PRE_NORM))), ComponentRef.of(IDENTITY));
        assertThatThrownBy(() -> composer.validate(unknownParam, true, null))
                .hasMessage("component 'mixer.test_shift' has no parameter 'width' (it has none)");
        assertThat(ModelComposer.resolveParams(new TestComponents.MlpMixer(), TestComponents.params()).asMap())
                .isEqualTo(Map.of("expansion", 2));
        assertThat(ModelComposer.resolveParams(new TestComponents.MlpMixer(), TestComponents.params("expansion", 4.0)).asMap())
                .isEqualTo(Map.of("expansion", 4));
    }

    @Test
    void listsComponentVersions() {
        assertThat(composer.componentVersions(TestComponents.architecture(8, 2, SHIFT))).containsExactlyInAnyOrderEntriesOf(Map.of(
                SHIFT, "test-plugin@1.0/1", MLP, "test-plugin@1.0/1", IDENTITY, "test-plugin@1.0/1", PRE_NORM, "test-plugin@1.0/1"));
    }

    @Test
    void collectsAuxiliaryLossesOfTheLastForwardPass() {
        CandidateModel model = composer.compose(TestComponents.architecture(8, 3, SHIFT, TestComponents.AUX), 5, 4, true);
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(2, 4));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray ids = m.zeros(new Shape(2, 4), DataType.INT32);
            model.forward(ps, new NDList(ids), false);
            model.forward(ps, new NDList(ids), false);
            assertThat(model.auxiliaryLosses()).hasSize(3);
            assertThat(model.auxiliaryLosses().getFirst().getFloat()).isGreaterThanOrEqualTo(1f);
            model.layerState().clearForward();
            assertThat(model.auxiliaryLosses()).isEmpty();
            assertThat(model.layerState().layerOutputs()).isEmpty();
        }
    }

    @Test
    void sharedObjectsAreCreatedOnce() {
        ModelLayerState state = new ModelLayerState();
        int[] calls = {0};
        Object a = state.shared("kv", () -> { calls[0]++; return new Object(); });
        Object b = state.shared("kv", () -> { calls[0]++; return new Object(); });
        assertThat(a).isSameAs(b);
        assertThat(calls[0]).isEqualTo(1);
        // A factory may ask for another shared object.
        String outer = state.shared("outer", () -> state.shared("inner", () -> "x") + "y");
        assertThat(outer).isEqualTo("xy");
    }
}
