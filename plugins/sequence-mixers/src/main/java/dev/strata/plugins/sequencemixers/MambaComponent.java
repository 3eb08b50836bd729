package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Mamba: a gated block around a selective state space (S6) scan with input-dependent delta, B and C. */
@Extension
public final class MambaComponent implements MixerComponent {

    static final String STATE = "state";
    static final String EXPAND = "expand";
    static final String CONV = "conv";
    /** Steps per chunk of the chunked scan; changes speed and memory, not the function. */
    static final int CHUNK = 16;

    @Override
    public String id() {
        return "mixer.mamba";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Mamba block: in-projection to x and gate z, causal depthwise conv + SiLU, selective SSM (S6: "
                + "softplus low-rank delta, input-dependent B and C, A = -exp(A_log), D skip) in chunked form, "
                + "y * silu(z), out-projection";
    }

    @Override
    public String reference() {
        return "Mamba: Linear-Time Sequence Modeling with Selective State Spaces (Gu et al., 2023)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(STATE, 8, 1, 64, 4, 8, 16).describe("SSM state size N per channel"),
                Dimension.integer(EXPAND, 2, 1, 4, 1, 2).describe("inner width as a multiple of d_model"),
                Dimension.integer(CONV, 4, 1, 8, 2, 4).describe("kernel of the causal depthwise convolution"));
    }

    @Override
    public String complexity() {
        return "O(n)";
    }

    @Override
    public String notes() {
        return "trains ~100x slower than attention.mha at d 64, n 64, batch 32 on CPU (about 1 s/step, 0.5 GB per layer): "
                + "S6 has a decay per channel and state, so its (batch, n, 2d, N) states are materialised (chunks of "
                + CHUNK + ", log2 doubling steps inside); mixer.mamba2 (SSD, one decay per head) is the fast alternative";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        Shape s = shape(ctx, params);
        return new MambaBlock(ctx.dModel(), s.inner, s.states, s.kernel, s.rank, CHUNK);
    }

    /**
     * in_proj 2Ed + conv (K+1)E + x_proj E(R+2N) + dt_proj (R+1)E + A_log EN + D E + out_proj Ed
     * = 3Ed + E(K + 2R + 3N + 3).
     */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        Shape s = shape(ctx, params);
        long d = ctx.dModel();
        long e = s.inner;
        return 3 * e * d + e * (s.kernel + 2L * s.rank + 3L * s.states + 3);
    }

    private record Shape(int inner, int states, int kernel, int rank) {}

    private Shape shape(BuildContext ctx, Params params) {
        int states = params.getInt(STATE);
        int expand = params.getInt(EXPAND);
        int kernel = params.getInt(CONV);
        if (states < 1 || expand < 1 || kernel < 1) {
            throw new IllegalArgumentException(id() + ": state " + states + ", expand " + expand + " and conv " + kernel
                    + " must all be positive");
        }
        int rank = Math.ceilDiv(ctx.dModel(), 16);
        return new Shape(Math.multiplyExact(expand, ctx.dModel()), states, kernel, rank);
    }
}
