package dev.strata.core.genome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.SearchSpaceLoader;
import dev.strata.core.space.SearchSpaceLoaderTest;
import dev.strata.core.space.SpaceFixtures;
import io.jenetics.Genotype;
import io.jenetics.IntegerGene;
import java.nio.file.Path;
import java.util.HashSet;
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
}
