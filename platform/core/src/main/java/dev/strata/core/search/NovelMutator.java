package dev.strata.core.search;

import io.jenetics.AltererResult;
import io.jenetics.Alterer;
import io.jenetics.IntegerGene;
import io.jenetics.Phenotype;
import io.jenetics.util.ISeq;
import io.jenetics.util.RandomRegistry;
import io.jenetics.util.Seq;

/**
 * Mutates every selected parent into a child that differs in one decision and expresses a
 * candidate not proposed before (when one exists). Jenetics' stock mutator works gene by gene
 * with a probability and can return an unchanged clone; aging evolution needs a real child.
 */
final class NovelMutator implements Alterer<IntegerGene, Double> {

    private final SeenCandidates seen;

    NovelMutator(SeenCandidates seen) {
        this.seen = seen;
    }

    @Override
    public AltererResult<IntegerGene, Double> alter(Seq<Phenotype<IntegerGene, Double>> population, long generation) {
        ISeq<Phenotype<IntegerGene, Double>> children = population.stream()
                .map(p -> Phenotype.<IntegerGene, Double>of(seen.mutate(p.genotype(), RandomRegistry.random()), generation))
                .collect(ISeq.toISeq());
        return new AltererResult<>(children, children.size());
    }
}
