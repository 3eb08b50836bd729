package dev.strata.api;

/**
 * A token mixer (mixes along the sequence: convolutions, state-space models, pooling) or a
 * channel mixer (mixes along features at each position: MLP, GLU, mixture-of-experts).
 */
public interface MixerComponent extends SequenceComponent {

    /** Which mixing this component does. */
    MixerRole role();

    @Override
    default ComponentKind kind() {
        return role() == MixerRole.TOKEN ? ComponentKind.TOKEN_MIXER : ComponentKind.CHANNEL_MIXER;
    }

    /** Token mixing or channel mixing. */
    enum MixerRole { TOKEN, CHANNEL }
}
