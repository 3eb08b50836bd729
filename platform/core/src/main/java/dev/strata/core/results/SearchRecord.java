package dev.strata.core.results;

import java.time.Instant;

/**
 * One row of the {@code search} table, with what analysis needs: the space it came from and its
 * objectives and constraints.
 *
 * @param objectives e.g. {@code val_loss:min,params:min}, or null (validation loss alone)
 * @param constraints e.g. {@code params<=2000000;flops_per_token<=5e5}, or null (none)
 */
public record SearchRecord(
        long id, String name, String spaceFile, String spaceYaml, long seed, String strategy, String taskKey,
        String recipeKey, int budget, String device, String status, String objectives, String constraints,
        Instant startedAt, Instant finishedAt) {}
