package dev.strata.core.genome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SearchSpaceLoaderTest;
import dev.strata.core.space.SpaceFixtures;
import io.jenetics.Genotype;
import io.jenetics.IntegerGene;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenomeTest {

    @TempDir
    Path dir;

    SearchSpace space;
    Genome genome;

    @BeforeEach
    void load() throws Exception {
        space = new SearchSpaceLoader(SpaceFixtures.registry()).load(SpaceFixtures.write(dir, "s.yaml", SearchSpaceLoaderTest.VALID));
        genome = new Genome(space.model());
    }

    @Test
    void hasOneGenePerDecisionWithMoreThanOneOption() {
        // d_model, depth, then per layer (2): heads of attention.test, expansion of the mlp, norm choice;
        // then the final norm. Single-option slots (token mixer, channel mixer, residual) get no gene.
        assertThat(genome.decisions()).extracting(Genome.Decision::name).containsExactly(
                "d_model", "depth",
                "layer0.token_mixer.attention.test.heads", "layer0.channel_mixer.mixer.test_mlp.expansion", "layer0.norm",
                "layer1.token_mixer.attention.test.heads", "layer1.channel_mixer.mixer.test_mlp.expansion", "layer1.norm",
                "final_norm");
    }

    @Test
    void decodesEveryOptionAndNothingElse() {
        // 2 widths x (1 layer: 2*2*2 + 2 layers: (2*2*2)^2) x 2 final norms = 2 * (8 + 64) * 2 = 288 architectures.
        Random random = new Random(1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            Architecture a = genome.decode(genome.random(random));
            assertThat(a.dModel()).isIn(16, 32);
            assertThat(a.depth()).isIn(1, 2);
            seen.add(a.fingerprint());
        }
        assertThat(seen).hasSize(288);
    }

    @Test
    void genotypeRoundTripsThroughValues() {
        Genotype<IntegerGene> g = genome.random(new Random(7));
        assertThat(genome.genotype(genome.values(g))).isEqualTo(g);
        assertThat(genome.decode(genome.genotype(genome.values(g)))).isEqualTo(genome.decode(g));
    }

    @Test
    void architectureJsonRoundTripsAndFingerprintIsStable() {
        Architecture a = genome.decode(genome.random(new Random(3)));
        Architecture back = Architecture.fromJson(a.canonicalJson());
        assertThat(back).isEqualTo(a);
        assertThat(back.fingerprint()).isEqualTo(a.fingerprint()).hasSize(64);
    }

    // ---- recipe genes, uniform layers, size and grid ----------------------------------------------

    private SearchSpace load(String yaml) throws Exception {
        return new SearchSpaceLoader(SpaceFixtures.registry()).load(SpaceFixtures.write(dir, "x" + System.nanoTime() + ".yaml", yaml));
    }

    static final String LRS = SearchSpaceLoaderTest.VALID.replace("lr: 1e-3}", "lr: [1e-3, 3e-3, 1e-2]}");
    static final String UNIFORM = SearchSpaceLoaderTest.VALID.replace("  depth: [1, 2]\n", "  depth: [1, 2]\n  uniform_layers: true\n");

    @Test
    void aFixedRecipeAddsNoGeneAndSearchedValuesComeLast() throws Exception {
        // Old spaces keep their layout (and so their candidate sequence for a seed).
        assertThat(Genome.of(space).decisions()).isEqualTo(genome.decisions());
        Genome g = Genome.of(load(LRS));
        assertThat(g.decisions()).extracting(Genome.Decision::name).endsWith("final_norm", "recipe.lr");
        assertThat(g.decisions().getLast().options()).isEqualTo(3);
        int[] v = new int[g.decisions().size()];
        v[v.length - 1] = 2;
        Candidate c = g.candidate(g.genotype(v));
        assertThat(c.recipe().learningRate()).isEqualTo(1e-2);
        assertThat(c.recipe().steps()).isEqualTo(50);
        assertThat(c.architecture()).isEqualTo(g.decode(g.genotype(v)));
        v[v.length - 1] = 0;
        Candidate other = g.candidate(g.genotype(v));
        assertThat(other.architecture()).isEqualTo(c.architecture());
        assertThat(other.key()).isNotEqualTo(c.key());
        assertThat(g.size()).isEqualTo(BigInteger.valueOf(288 * 3));
    }

    @Test
    void uniformLayersShareOneDecisionPerSlotAndParameter() throws Exception {
        Genome g = Genome.of(load(UNIFORM));
        assertThat(g.decisions()).extracting(Genome.Decision::name).containsExactly(
                "d_model", "depth", "layers.token_mixer.attention.test.heads", "layers.channel_mixer.mixer.test_mlp.expansion",
                "layers.norm", "final_norm");
        Random random = new Random(5);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            Architecture a = g.decode(g.random(random));
            assertThat(a.layers()).allSatisfy(l -> assertThat(l).isEqualTo(a.layers().getFirst()));
            seen.add(a.fingerprint());
        }
        // 2 widths x 2 depths x (2 heads x 2 expansions x 2 norms) x 2 final norms
        assertThat(seen).hasSize(64);
        assertThat(g.size()).isEqualTo(BigInteger.valueOf(64));
    }

    @Test
    void sizeCountsDistinctCandidates() throws Exception {
        assertThat(genome.size()).isEqualTo(BigInteger.valueOf(288));
        // A deep space is far too large to enumerate but is counted exactly.
        Genome deep = Genome.of(load(SearchSpaceLoaderTest.VALID.replace("depth: [1, 2]", "depth: [1, 24]")));
        assertThat(deep.size()).isEqualTo(BigInteger.valueOf(2 * 2).multiply(BigInteger.valueOf(8).add(BigInteger.valueOf(8).pow(24))));
    }

    /** Every genotype in mixed radix order (last decision fastest), keeping the first of each candidate. */
    private static List<String> bruteForceGrid(Genome g) {
        int n = g.decisions().size();
        int[] v = new int[n];
        Set<String> out = new LinkedHashSet<>();
        while (true) {
            out.add(g.candidate(g.genotype(v)).key());
            int i = n - 1;
            while (i >= 0 && v[i] + 1 == g.decisions().get(i).options()) v[i--] = 0;
            if (i < 0) return new ArrayList<>(out);
            v[i]++;
        }
    }

    private static List<String> grid(Genome g) {
        List<String> out = new ArrayList<>();
        for (Iterator<Genotype<IntegerGene>> it = g.grid(); it.hasNext(); ) out.add(g.candidate(it.next()).key());
        return out;
    }

    @Test
    void gridYieldsEveryCandidateOnceInMixedRadixOrder() throws Exception {
        for (String yaml : List.of(SearchSpaceLoaderTest.VALID, LRS, UNIFORM)) {
            Genome g = Genome.of(load(yaml));
            List<String> grid = grid(g);
            assertThat(grid).doesNotHaveDuplicates().hasSize(g.size().intValueExact()).isEqualTo(bruteForceGrid(g));
        }
    }

    @Test
    void gridOrderOnASmallSpace() throws Exception {
        Genome g = Genome.of(load("""
                task: {id: task.toy}
                model:
                  d_model: 16
                  depth: [1, 2]
                  token_mixer: {attention.test: {heads: 1}}
                  channel_mixer: {mixer.test_mlp: {expansion: 2}}
                  norm: [norm.a, norm.b]
                  residual: residual.test
                  final_norm: norm.a
                recipe: {lr: [1e-3, 1e-2]}
                strategy: {name: grid}
                """));
        assertThat(g.decisions()).extracting(Genome.Decision::name).containsExactly("depth", "layer0.norm", "layer1.norm", "recipe.lr");
        List<String> order = new ArrayList<>();
        for (Iterator<Genotype<IntegerGene>> it = g.grid(); it.hasNext(); ) {
            Candidate c = g.candidate(it.next());
            order.add(c.architecture().layers().stream().map(l -> l.norm().id().substring(5)).reduce("", String::concat)
                    + "@" + c.recipe().learningRate());
        }
        assertThat(order).containsExactly(
                "a@0.001", "a@0.01", "b@0.001", "b@0.01",
                "aa@0.001", "aa@0.01", "ab@0.001", "ab@0.01", "ba@0.001", "ba@0.01", "bb@0.001", "bb@0.01");
        assertThat(g.size()).isEqualTo(BigInteger.valueOf(12));
    }

    @Test
    void gridSkipsUnexpressedGenesWithoutWalkingThem() throws Exception {
        // 2^(3*23) genotypes of depth 1 decode to 16 candidates: the grid must not visit them one by one.
        Genome deep = Genome.of(load(SearchSpaceLoaderTest.VALID.replace("depth: [1, 2]", "depth: [1, 24]")));
        Iterator<Genotype<IntegerGene>> it = deep.grid();
        Set<String> first = new HashSet<>();
        for (int i = 0; i < 100; i++) first.add(deep.candidate(it.next()).key());
        assertThat(first).hasSize(100);
    }
}
