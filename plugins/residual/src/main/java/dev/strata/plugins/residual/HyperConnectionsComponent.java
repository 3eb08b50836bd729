package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import java.util.List;
import org.pf4j.Extension;

/**
 * Hyper-connections: {@code streams} parallel residual streams with learned width connections
 * (stream mixing) and depth connections (how each stream reads and receives each sublayer),
 * static or static plus dynamic (per position). Initialised so that every stream equals the
 * pre-norm residual stream; the layer returns the sum of its streams.
 */
@Extension
public final class HyperConnectionsComponent implements ResidualComponent {

    static final String STREAMS = "streams";
    static final String DYNAMIC = "dynamic";

    @Override
    public String id() {
        return "residual.hyper_connections";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Hyper-connections: n residual streams with learned width and depth connections around each sublayer; returns the sum of the streams";
    }

    @Override
    public String reference() {
        return "Hyper-Connections (Zhu et al., 2024)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(
                Dimension.integer(STREAMS, 4, 1, 16, 2, 4).describe("number of residual streams n (expansion rate)"),
                Dimension.choice(DYNAMIC, "false", "false", "true")
                        .describe("add per-position dynamic connection weights s * tanh(norm(H) W) to the static ones"));
    }

    @Override
    public String notes() {
        return "Starts equal to pre-norm: every stream is the pre-norm stream, and the returned sum is n times it,"
                + " which the final norm removes. A following layer of another residual type starts from that sum."
                + " With dynamic=true the two dynamic scales get zero gradient on the first step (W starts at 0, as in"
                + " the paper). The dynamic weights use a parameter-free RMS norm (the paper a LayerNorm). Keeps n"
                + " copies of the stream: a 4-layer stack with streams 4 trains ~2x (static) to ~2.5-3x (dynamic) slower"
                + " than with pre_norm at d 64, n 64 on CPU.";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        int n = Ops.intParam(params, STREAMS, 4);
        if (n < 1 || n > 16) {
            throw new IllegalArgumentException(id() + ": streams must be in [1, 16], got " + n);
        }
        return new HyperConnectionsBlock(sublayers, ctx.dModel(), ctx.layerIndex(), n, dynamic(params), ctx.state());
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 2 * HyperConnectionsBlock.connectionParameters(ctx.dModel(), Ops.intParam(params, STREAMS, 4), dynamic(params));
    }

    private String dynamicValue(Params params) {
        String v = Ops.stringParam(params, DYNAMIC, "false");
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(id() + ": dynamic must be true or false, got " + v);
        }
        return v;
    }

    private boolean dynamic(Params params) {
        return dynamicValue(params).equals("true");
    }
}
