package dev.strata.api;

/** A normalisation layer over the feature axis (LayerNorm, RMSNorm, ...), or the identity. */
public interface NormComponent extends SequenceComponent {
    @Override
    default ComponentKind kind() {
        return ComponentKind.NORM;
    }
}
