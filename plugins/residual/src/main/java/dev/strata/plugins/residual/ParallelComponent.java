package dev.strata.plugins.residual;

import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.Sublayers;
import org.pf4j.Extension;

/**
 * Parallel layer (GPT-J, PaLM): the token and channel mixers both read one shared norm of the
 * input and are added together, {@code x + tok(norm(x)) + ch(norm(x))}. One norm per layer.
 */
@Extension
public final class ParallelComponent implements ResidualComponent {

    @Override
    public String id() {
        return "residual.parallel";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public String description() {
        return "Parallel layer: x + tok(norm(x)) + ch(norm(x)) from one shared norm";
    }

    @Override
    public String reference() {
        return "PaLM: Scaling Language Modeling with Pathways (Chowdhery et al., 2022)";
    }

    @Override
    public String notes() {
        return "The parallel formulation was introduced by GPT-J-6B (Wang and Komatsuzaki, 2021); PaLM popularised it.";
    }

    @Override
    public Block wrap(BuildContext ctx, Params params, Sublayers sublayers) {
        return new ParallelBlock(sublayers);
    }

    @Override
    public long parameterCount(BuildContext ctx, Params params) {
        return 0;
    }
}
