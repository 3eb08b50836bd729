package dev.strata.core.training;

import static dev.strata.core.model.TestComponents.ATTENTION;
import static dev.strata.core.model.TestComponents.SHIFT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.model.CandidateModel;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.model.TestComponents;
import dev.strata.core.plugins.ComponentRegistry;
import org.junit.jupiter.api.Test;

/** The analytic training-FLOPs estimate against numbers worked out by hand. */
class FlopsPerTokenTest {

    private static final ComponentRegistry REGISTRY = TestComponents.registry();

    private static double estimate(Architecture arch, int vocab, int seq) {
        CandidateModel model = new ModelComposer(REGISTRY).compose(arch, vocab, seq, true);
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, new Shape(2, seq));
            return FlopsPerToken.of(model, arch, REGISTRY);
        }
    }

    @Test
    void oneAttentionLayerByHand() {
        // d 8, 1 layer, vocab 16, seq 12. Matrix parameters (embedding tables left out):
        //   attention qkv 8*24+24 = 216, out 8*8+8 = 72; MLP (expansion 2) up 8*16+16 = 144, down 16*8+8 = 136;
        //   identity norms 0; LM head 8*16+16 = 144. N = 712.
        // forward = 2 N + 2*2*seq*d per attention layer = 1424 + 4*12*8 = 1808; training = 3 x 1808 = 5424.
        assertThat(estimate(TestComponents.architecture(8, 1, ATTENTION), 16, 12)).isEqualTo(5424.0);
        assertThat(FlopsPerToken.training(712, 1, 12, 8)).isEqualTo(5424.0);
    }

    @Test
    void twoLayersWithoutAttentionCountParametersOnly() {
        // shift mixer 8*8+8 + 8*8 = 136 and MLP 280 per layer, two layers; head 144: N = 976; 6 N = 5856.
        assertThat(estimate(TestComponents.architecture(8, 2, SHIFT), 16, 12)).isEqualTo(5856.0);
        // The attention term grows with the sequence, the parameter term does not.
        assertThat(estimate(TestComponents.architecture(8, 2, ATTENTION), 16, 24) - estimate(TestComponents.architecture(8, 2, ATTENTION), 16, 12))
                .isEqualTo(3 * 2 * 4.0 * 12 * 8);
    }
}
