package dev.strata.core.space;

import dev.strata.api.ComponentKind;

/** The places in a model a search space fills with components, as named in YAML. */
public enum Slot {
    TOKEN_MIXER("token_mixer"),
    CHANNEL_MIXER("channel_mixer"),
    NORM("norm"),
    RESIDUAL("residual"),
    FINAL_NORM("final_norm");

    private final String key;

    Slot(String key) {
        this.key = key;
    }

    /** The YAML key under {@code model:}. */
    public String key() {
        return key;
    }

    /** True if a component of this kind may fill the slot. */
    public boolean accepts(ComponentKind kind) {
        return switch (this) {
            case TOKEN_MIXER -> kind.mixesTokens();
            case CHANNEL_MIXER -> kind == ComponentKind.CHANNEL_MIXER;
            case NORM, FINAL_NORM -> kind == ComponentKind.NORM;
            case RESIDUAL -> kind == ComponentKind.RESIDUAL;
        };
    }

    /** True if every layer has its own choice for this slot (the final norm is model-level). */
    public boolean perLayer() {
        return this != FINAL_NORM;
    }
}
