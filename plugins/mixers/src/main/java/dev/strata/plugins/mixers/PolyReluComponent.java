package dev.strata.plugins.mixers;

import org.pf4j.Extension;

/** An MLP with the PolyReLU activation of order 3 (see {@link PolyBlock} for the form and its stabilisation). */
@Extension
public final class PolyReluComponent extends PolyMixerComponent {

    public PolyReluComponent() {
        super(PolyBlock.Kind.POLYRELU);
    }

    @Override
    public String id() {
        return "mixer.polyrelu";
    }

    @Override
    public String description() {
        return "Position-wise MLP Linear(d, e*d), PolyReLU sum_i a_i ReLU(z)^i + b (i = 1..3, learned a_i, b), Linear(e*d, d)";
    }

    @Override
    public String notes() {
        return "ReLU(z) is clipped at 1e4 before the powers so that stacked layers stay finite in float32 "
                + "(the paper's function wherever z < 1e4)";
    }
}
