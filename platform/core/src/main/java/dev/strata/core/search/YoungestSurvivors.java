package dev.strata.core.search;

import io.jenetics.Gene;
import io.jenetics.Optimize;
import io.jenetics.Phenotype;
import io.jenetics.Selector;
import io.jenetics.util.ISeq;
import io.jenetics.util.Seq;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Keeps the youngest individuals, whatever their fitness: in aging (regularized) evolution the
 * oldest dies, not the worst (Real et al., 2019). Among equals in age the one that came later in
 * the population is younger. Jenetics' {@code maximalPhenotypeAge} is not this: it replaces old
 * individuals by random new ones.
 */
final class YoungestSurvivors<G extends Gene<?, G>, C extends Comparable<? super C>> implements Selector<G, C> {

    @Override
    public ISeq<Phenotype<G, C>> select(Seq<Phenotype<G, C>> population, int count, Optimize opt) {
        return IntStream.range(0, population.size())
                .boxed()
                .sorted(Comparator.<Integer>comparingLong(i -> population.get(i).generation()).reversed()
                        .thenComparing(Comparator.<Integer>reverseOrder()))
                .limit(count)
                .sorted()
                .map(population::get)
                .collect(ISeq.toISeq());
    }

    @Override
    public String toString() {
        return "YoungestSurvivors";
    }
}
