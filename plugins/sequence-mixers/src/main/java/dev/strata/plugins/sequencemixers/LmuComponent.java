package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Parallel Legendre Memory Unit: a fixed Legendre delay-line memory per channel with a learned readout. */
@Extension
public final class LmuComponent implements MixerComponent {

    static final String ORDER = "order";
    static final String THETA = "theta";

    @Override
    public String id() {
        return "mixer.lmu";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Parallel LMU: u = W_u x, per-channel fixed Legendre memory of order q over a window of theta steps "
                + "(LTI A, B discretised by zero-order hold) applied as a causal FFT convolution with its impulse "
                + "response, learned linear readout of the d*q memory";
    }

    @Override
    public String reference() {
        return "Legendre Memory Units: Continuous-Time Representation in Recurrent Neural Networks (Voelker et al., 2019); "
                + "Parallelizing Legendre Memory Unit Training (Chilkuri et al., 2021)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(ORDER, 8, 1, 64, 4, 8, 16).describe("memory order q: Legendre polynomials per channel"),
                Dimension.integer(THETA, 32, 1, 4096, 8, 32, 128).describe("memory window theta in positions"));
    }

    @Override
    public String complexity() {
        return "O(n log n)";
    }

    @Override
    public String notes() {
        return "always causal (also on non-causal tasks); the memory matrices are fixed constants, not parameters; "
                + "the readout has d^2 q weights; up to n 256 the convolution is a Toeplitz matmul (O(n^2), faster on CPU), "
                + "beyond an FFT (O(n log n)); trains ~2.2x slower than attention.mha at d 64, n 64 in a 2-layer model on CPU";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        check(params);
        return new LmuBlock(ctx.dModel(), params.getInt(ORDER), params.getInt(THETA));
    }

    /** Encoder d^2, readout (d q) d + d. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        check(params);
        long d = ctx.dModel();
        return d * d + d * params.getInt(ORDER) * d + d;
    }

    private void check(Params params) {
        int order = params.getInt(ORDER);
        int theta = params.getInt(THETA);
        if (order < 1 || theta < 1) {
            throw new IllegalArgumentException(id() + ": order " + order + " and theta " + theta + " must be positive");
        }
    }
}
