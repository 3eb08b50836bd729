package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Hyena: data-controlled gating around a long causal convolution with an implicit, FFN-generated filter. */
@Extension
public final class HyenaComponent implements MixerComponent {

    static final String FILTER_WIDTH = "filter_width";
    static final String EMBEDDING = "position_features";

    @Override
    public String id() {
        return "mixer.hyena";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Order-2 Hyena operator: in-projection to (x0, x1, v) + short causal conv, v * x1 through a long causal "
                + "FFT convolution whose per-channel filter is FFN(position embedding) * exponential decay, times x0, "
                + "out-projection";
    }

    @Override
    public String reference() {
        return "Hyena Hierarchy: Towards Larger Convolutional Language Models (Poli et al., 2023)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(FILTER_WIDTH, 32, 4, 256, 16, 32, 64).describe("hidden width of the filter FFN"),
                Dimension.integer(EMBEDDING, 9, 3, 65, 5, 9, 17)
                        .describe("size of the filter's position embedding: t plus cos/sin of (n-1)/2 bands; odd"));
    }

    @Override
    public String complexity() {
        return "O(n log n)";
    }

    @Override
    public String notes() {
        return "always causal (also on non-causal tasks); the long convolution is an FFT (rfft/irfft, differentiable on "
                + "DJL's PyTorch engine) of length 2T";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        check(params);
        return new HyenaBlock(ctx.dModel(), ctx.maxSequenceLength(), params.getInt(EMBEDDING), params.getInt(FILTER_WIDTH));
    }

    /**
     * in_proj 3d^2 + 3d, short conv 3*3d + 3d, filter FFN (E F + F) + 2 (F^2 + F) + F d, one shared
     * sine frequency per hidden unit F, long-conv bias d, out_proj d^2 + d:
     * {@code 4d^2 + 17d + F d + 2F^2 + (E + 4) F}.
     */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        check(params);
        long d = ctx.dModel();
        long f = params.getInt(FILTER_WIDTH);
        long e = params.getInt(EMBEDDING);
        return 4 * d * d + 17 * d + f * d + 2 * f * f + (e + 4) * f;
    }

    private void check(Params params) {
        int e = params.getInt(EMBEDDING);
        int f = params.getInt(FILTER_WIDTH);
        if (e < 3 || e % 2 == 0) {
            throw new IllegalArgumentException(id() + ": position_features " + e + " must be odd and at least 3");
        }
        if (f < 1) {
            throw new IllegalArgumentException(id() + ": filter_width " + f + " must be positive");
        }
    }
}
