package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Mamba-2: the Mamba block with the SSD layer (scalar decay per head), computed by the chunked SSD algorithm. */
@Extension
public final class Mamba2Component implements MixerComponent {

    static final String STATE = "state";
    static final String EXPAND = "expand";
    static final String HEAD_DIM = "head_dim";
    static final String CONV = "conv";
    /** Steps per chunk of the SSD algorithm; changes speed, not the function. */
    static final int CHUNK = 16;

    @Override
    public String id() {
        return "mixer.mamba2";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Mamba-2 block: parallel in-projection to z, x, B, C, dt, causal depthwise conv + SiLU, SSD (scalar "
                + "A = -exp(A_log) per head, softplus dt, D skip) by the chunked state-space-duality algorithm, "
                + "gated RMSNorm, out-projection";
    }

    @Override
    public String reference() {
        return "Transformers are SSMs: Generalized Models and Efficient Algorithms Through Structured State Space "
                + "Duality (Dao et al., 2024)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(STATE, 16, 1, 256, 8, 16, 32).describe("SSM state size N (one group, shared by the heads)"),
                Dimension.integer(EXPAND, 2, 1, 4, 1, 2).describe("inner width as a multiple of d_model"),
                Dimension.integer(HEAD_DIM, 16, 1, 256, 8, 16, 32)
                        .describe("channels per head (each head has its own decay); must divide expand * d_model"),
                Dimension.integer(CONV, 4, 1, 8, 2, 4).describe("kernel of the causal depthwise convolution"));
    }

    @Override
    public String complexity() {
        return "O(n)";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        Sizes s = sizes(ctx, params);
        return new Mamba2Block(ctx.dModel(), s.inner, s.states, s.heads, s.kernel, CHUNK);
    }

    /**
     * in_proj d (2E + 2N + H), conv (E + 2N)(K + 1), dt_bias, A_log, D: H each, norm weight E,
     * out_proj E d.
     */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        Sizes s = sizes(ctx, params);
        long d = ctx.dModel();
        long e = s.inner;
        long n = s.states;
        long h = s.heads;
        return d * (2 * e + 2 * n + h) + (e + 2 * n) * (s.kernel + 1) + 3 * h + e + e * d;
    }

    private record Sizes(int inner, int states, int heads, int kernel) {}

    private Sizes sizes(BuildContext ctx, Params params) {
        int states = params.getInt(STATE);
        int expand = params.getInt(EXPAND);
        int headDim = params.getInt(HEAD_DIM);
        int kernel = params.getInt(CONV);
        if (states < 1 || expand < 1 || headDim < 1 || kernel < 1) {
            throw new IllegalArgumentException(id() + ": state " + states + ", expand " + expand + ", head_dim " + headDim
                    + " and conv " + kernel + " must all be positive");
        }
        int inner = Math.multiplyExact(expand, ctx.dModel());
        if (inner % headDim != 0) {
            throw new IllegalArgumentException(id() + ": expand * d_model " + inner + " is not divisible by head_dim " + headDim);
        }
        return new Sizes(inner, states, inner / headDim, kernel);
    }
}
