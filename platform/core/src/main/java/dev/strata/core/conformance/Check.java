package dev.strata.core.conformance;

/** The checks the conformance kit runs on every component, in the order they are reported. */
public enum Check {
    SHAPE("shape", "output has the input's shape (batch, seq, d_model), in training and inference"),
    CAUSALITY("causal", "changing inputs after position t leaves outputs up to t unchanged"),
    GRADIENTS("grads", "a backward pass gives every parameter (and the input) a finite, non-zero gradient"),
    LARGE_INPUTS("finite", "one layer's outputs stay finite for inputs scaled by 100 and 1000"),
    DETERMINISM("seeded", "the same random seed builds the same block and gives the same output"),
    PARAMETER_COUNT("params", "declared parameterCount() equals the parameters the block creates");

    private final String label;
    private final String description;

    Check(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** Short column header for tables. */
    public String label() {
        return label;
    }

    /** What the check asserts, one line. */
    public String description() {
        return description;
    }
}
