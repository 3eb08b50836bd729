package dev.strata.plugins.sequencemixers;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import java.util.List;
import org.pf4j.Extension;

/** Linear Recurrent Unit with real diagonal, stable exponential decays and gamma normalisation, chunked. */
@Extension
public final class LruComponent implements MixerComponent {

    static final String STATE = "state";
    /** Steps per chunk of the chunked scan; changes speed, not the function. */
    static final int CHUNK = 16;

    @Override
    public String id() {
        return "mixer.lru";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Linear Recurrent Unit with real diagonal decays: h_t = lambda h_{t-1} + gamma (B x_t), "
                + "lambda = exp(-exp(nu)), gamma = exp(gamma_log) normalisation, y = C h + D x; chunked scan";
    }

    @Override
    public String reference() {
        return "Resurrecting Recurrent Neural Networks for Long Sequences (Orvieto et al., 2023)";
    }

    @Override
    public MixerRole role() {
        return MixerRole.TOKEN;
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.integer(STATE, 64, 1, 1024, 32, 64, 128).describe("number of diagonal recurrent states N"));
    }

    @Override
    public String notes() {
        return "real decays only (the paper's complex eigenvalues, i.e. rotations, are left out); always causal";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new LruBlock(ctx.dModel(), states(params), CHUNK);
    }

    /** nu and gamma_log N each, B N d, C d N, D d. */
    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long n = states(params);
        return 2 * n + 2 * n * d + d;
    }

    private int states(Params params) {
        int n = params.getInt(STATE);
        if (n < 1) {
            throw new IllegalArgumentException(id() + ": state " + n + " must be positive");
        }
        return n;
    }
}
