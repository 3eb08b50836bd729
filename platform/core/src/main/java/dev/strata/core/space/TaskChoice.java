package dev.strata.core.space;

import dev.strata.api.Params;

/**
 * The task a search trains on: component id, resolved parameters, data seed, and the loss of the
 * task's trivial baseline (measured when the space was loaded) so results can be judged against it.
 */
public record TaskChoice(String id, Params params, long dataSeed, double baselineLoss, String baselineName) {}
