package dev.strata.plugins.mixers;

import dev.strata.api.BuildContext;
import dev.strata.api.Dimension;
import dev.strata.api.Params;

/**
 * What {@code mixer.swiglu} and {@code mixer.geglu} share: the expansion dimension, the hidden
 * width rule and the parameter count.
 *
 * <p>Hidden width: a gated unit has three d x h matrices where an MLP has two, so, as in Shazeer
 * (2020) and LLaMA, the hidden width is two thirds of the MLP's: {@code h = ceil(2 * expansion *
 * d / 3)} rounded up to a multiple of 8. At d 32, expansion 4 that is 88 (8,448 parameters against
 * the MLP's 8,352); at d 64, 176.
 */
final class GatedUnits {

    static final String EXPANSION = "expansion";

    /** Hidden widths are rounded up to a multiple of this. */
    static final int MULTIPLE = 8;

    private GatedUnits() {}

    static Dimension expansion() {
        return Dimension.integer(EXPANSION, 4, 1, 8, 2, 4)
                .describe("MLP-equivalent width multiple; hidden width is 2/3 * expansion * d_model rounded up to a multiple of 8");
    }

    static int hidden(BuildContext ctx, Params params) {
        long raw = (2L * params.getInt(EXPANSION) * ctx.dModel() + 2) / 3; // ceil(2 e d / 3)
        return Math.toIntExact((raw + MULTIPLE - 1) / MULTIPLE * MULTIPLE);
    }

    /** W1 and V fused into one d x 2h matrix, W2 h x d; no biases (as in the paper). */
    static long parameterCount(BuildContext ctx, Params params) {
        long d = ctx.dModel();
        long h = hidden(ctx, params);
        return 3 * d * h;
    }
}
