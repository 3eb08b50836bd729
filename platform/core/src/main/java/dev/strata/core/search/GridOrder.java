package dev.strata.core.search;

import dev.strata.core.genome.GenomeDomain;
import dev.strata.core.strategy.Proposal;
import dev.strata.core.strategy.Score;
import dev.strata.core.strategy.Strategy;
import io.jenetics.Genotype;
import io.jenetics.IntegerGene;
import java.util.Iterator;

/**
 * The grid as a strategy: every distinct candidate once, in {@code Genome.grid()} order (mixed
 * radix over the decisions, the last turning fastest). Results change nothing, so the order is
 * fixed and the search seed does not matter.
 */
final class GridOrder implements Strategy {

    private final GenomeDomain domain;
    private final Iterator<Genotype<IntegerGene>> grid;

    GridOrder(GenomeDomain domain) {
        this.domain = domain;
        this.grid = domain.genome().grid();
    }

    @Override
    public String name() {
        return "grid";
    }

    @Override
    public Proposal propose() {
        if (!grid.hasNext()) return null;
        return new Proposal(domain.genome().values(grid.next()), null);
    }

    @Override
    public void tell(int[] genes, Score score) {}
}
