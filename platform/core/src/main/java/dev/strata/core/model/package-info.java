/**
 * Composition: an {@link dev.strata.core.architecture.Architecture} becomes a
 * {@link dev.strata.core.model.CandidateModel} (a DJL block, token ids to logits) built from the
 * components of a {@link dev.strata.core.plugins.ComponentRegistry} by
 * {@link dev.strata.core.model.ModelComposer}. Layers share a
 * {@link dev.strata.core.model.ModelLayerState}.
 */
package dev.strata.core.model;
