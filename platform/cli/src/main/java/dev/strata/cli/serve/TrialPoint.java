package dev.strata.cli.serve;

/**
 * One finished trial as the charts draw it.
 *
 * @param id trial id
 * @param x ordinal (progress chart) or parameter count (Pareto chart)
 * @param valLoss validation loss
 */
record TrialPoint(long id, double x, double valLoss) {}
