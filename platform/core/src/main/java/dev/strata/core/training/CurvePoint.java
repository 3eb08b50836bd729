package dev.strata.core.training;

/** One point of a training curve; split is "train" or "val". Accuracy is NaN where not measured. */
public record CurvePoint(int step, String split, double loss, double accuracy) {}
