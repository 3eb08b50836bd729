package dev.strata.api;

/** An attention variant: a token mixer built from queries, keys and values. */
public interface AttentionComponent extends SequenceComponent {
    @Override
    default ComponentKind kind() {
        return ComponentKind.ATTENTION;
    }

    @Override
    default String complexity() {
        return "O(n^2)";
    }
}
