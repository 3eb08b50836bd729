package dev.strata.api;

/** The slot a component fills. Attention components are token mixers with their own kind. */
public enum ComponentKind {
    ATTENTION,
    TOKEN_MIXER,
    CHANNEL_MIXER,
    NORM,
    RESIDUAL,
    TASK;

    /** True for kinds that can fill a layer's token-mixing slot. */
    public boolean mixesTokens() {
        return this == ATTENTION || this == TOKEN_MIXER;
    }
}
