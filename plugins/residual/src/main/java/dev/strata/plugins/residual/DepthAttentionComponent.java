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
 * Attention over depth (after DWAtt): at each position the layer's input is a softmax mix of the
 * embedding and the earlier layers' outputs, weighted by a query from the current stream against
 * keys from the RMS-normalised representations; then a pre-norm layer. Per position, hence
 * causal-safe.
 */
@Extension
public final class DepthAttentionComponent implements ResidualComponent {

    static final String KEY_DIM = "key_dim";

    @Override
    public String id() {
        return "residual.depth_attention";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Attention over depth: per position, softmax mix of the embedding and earlier layer outputs (query from x, RMS-normalised keys), then a pre-norm layer";
    }

    @Override
    public String reference() {
        return "Depth-Wise Attention (DWAtt): A Layer Fusion Method for Data-Efficient Classification (ElNokrashy et al., 2022)";
    }

    @Override
    public List<Dimension> dimensions() {
        return List.of(Dimension.integer(KEY_DIM, 16, 1, 512, 8, 16, 32).describe("width of the depth-attention queries and keys"));
    }

    @Override
    public String notes() {
        return "DWAtt fuses layers once at the top of an encoder; here it runs at the input of every layer. Layer 0 is plain"
                + " pre-norm (nothing to attend over) with no own parameters; later layers read the embedding and earlier"
                + " outputs from the model's layer state.";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        int keyDim = keyDim(params);
        return new DepthAttentionBlock(sublayers, ctx.dModel(), ctx.layerIndex(), keyDim, ctx.state());
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return DepthAttentionBlock.ownParameters(ctx.dModel(), ctx.layerIndex(), keyDim(params));
    }

    private int keyDim(Params params) {
        int keyDim = Ops.intParam(params, KEY_DIM, 16);
        if (keyDim < 1) {
            throw new IllegalArgumentException(id() + ": key_dim must be positive, got " + keyDim);
        }
        return keyDim;
    }
}
