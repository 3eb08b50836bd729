package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import org.pf4j.Extension;

/**
 * DenseFormer: a pre-norm layer followed by a depth-weighted average (DWA) of the embedding, the
 * earlier layers' block outputs and this layer's block output, with {@code k + 2} learned scalars
 * at layer {@code k} initialised to the identity (1 on this layer's output, 0 elsewhere).
 */
@Extension
public final class DenseFormerComponent implements ResidualComponent {

    @Override
    public String id() {
        return "residual.denseformer";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "DenseFormer: pre-norm layer, then a learned depth-weighted average of the embedding, earlier block outputs and this block's output";
    }

    @Override
    public String reference() {
        return "DenseFormer: Enhancing Information Flow in Transformers via Depth Weighted Averaging (Pagliardini et al., 2024)";
    }

    @Override
    public String notes() {
        return "Layer k has k + 2 depth weights (identity at init). Layers after the first read the embedding and earlier"
                + " block outputs from the model's layer state. No dilation or period: every layer averages over all"
                + " earlier ones.";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        return new DenseFormerBlock(sublayers, ctx.layerIndex(), ctx.state());
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return ctx.layerIndex() + 2L;
    }
}
