package dev.strata.core.architecture;

import java.util.Objects;

/**
 * One layer: its token mixer (attention or another token mixer), channel mixer, norm, and the
 * residual operator that assembles them.
 */
public record LayerSpec(ComponentRef tokenMixer, ComponentRef channelMixer, ComponentRef norm, ComponentRef residual) {
    public LayerSpec {
        Objects.requireNonNull(tokenMixer, "tokenMixer");
        Objects.requireNonNull(channelMixer, "channelMixer");
        Objects.requireNonNull(norm, "norm");
        Objects.requireNonNull(residual, "residual");
    }
}
