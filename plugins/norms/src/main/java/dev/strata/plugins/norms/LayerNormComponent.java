package dev.strata.plugins.norms;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import org.pf4j.Extension;

/** LayerNorm over the feature axis: zero mean, unit variance, then a learned gain and bias. */
@Extension
public final class LayerNormComponent implements NormComponent {

    /** PyTorch's default; keeps the division finite on constant features. */
    static final float EPSILON = 1e-5f;

    @Override
    public String id() {
        return "norm.layer";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "LayerNorm over the feature axis with learned gain and bias";
    }

    @Override
    public String reference() {
        return "Layer Normalization (Ba, Kiros & Hinton, 2016)";
    }

    @Override
    public Block build(BuildContext ctx, Params params) {
        return new LayerNormBlock(ctx.dModel(), EPSILON);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 2L * ctx.dModel(); // gain and bias
    }
}
