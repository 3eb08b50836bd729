package dev.strata.plugins.linearattention;

import static dev.strata.testkit.BlockTesting.context;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.strata.testkit.BlockTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chunked training forms against naive per-token recurrences on tiny tensors, for sequence
 * lengths below one chunk, exactly one chunk and several chunks with a padded tail.
 */
class CoreReferenceTest {

    private static final int B = 2;
    private static final int H = 2;
    private static final int DK = 4;
    private static final int DV = 3;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(11);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray random(long seq, long width) {
        return manager.randomNormal(new Shape(B, H, seq, width));
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 16, 37})
    void linearAttentionMatchesTheRecurrence(int seq) {
        NDArray q = Ops.eluPlusOne(random(seq, DK));
        NDArray k = Ops.eluPlusOne(random(seq, DK));
        NDArray v = random(seq, DV);
        NDArray expected = Recurrences.linear(q, k, v);
        for (int chunk : new int[] {16, 32}) {
            assertThat(Recurrences.relativeError(LinearAttentionBlock.causal(q, k, v, chunk), expected))
                    .as("chunk %d", chunk).isLessThan(1e-4f);
        }
    }

    @Test
    void nonCausalLinearAttentionUsesGlobalSums() {
        NDArray q = Ops.eluPlusOne(random(9, DK));
        NDArray k = Ops.eluPlusOne(random(9, DK));
        NDArray v = random(9, DV);
        // Quadratic form: y_t = sum_s (q_t . k_s) v_s / sum_s q_t . k_s over all s.
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray expected = scores.matMul(v).div(scores.sum(new int[] {-1}, true).add(LinearAttentionBlock.EPSILON));
        assertThat(Recurrences.relativeError(LinearAttentionBlock.global(q, k, v), expected)).isLessThan(1e-4f);
    }

    @Test
    void nonCausalLinearAttentionSeesTheFutureAndCausalDoesNot() {
        LinearAttentionComponent component = new LinearAttentionComponent();
        var params = LinearAttentionFamilyTest.params(component);
        Block open = BlockTesting.initialized(component.build(context(16, false), params), manager, BlockTesting.INPUT);
        Block causal = BlockTesting.initialized(component.build(context(16, true), params), manager, BlockTesting.INPUT);
        NDArray x = manager.randomNormal(BlockTesting.INPUT);
        assertThat(BlockTesting.futureLeak(open, manager, x, 3)).isGreaterThan(1e-3f);
        assertThat(BlockTesting.futureLeak(causal, manager, x, 3)).isLessThan(1e-5f);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 16, 37})
    void gatedLinearAttentionMatchesTheRecurrence(int seq) {
        NDArray q = random(seq, DK);
        NDArray k = random(seq, DK);
        NDArray v = random(seq, DV);
        // Gates from almost 1 to almost 0, as logsigmoid(z) / 16 and beyond.
        NDArray logAlpha = Ops.logSigmoid(random(seq, DK).mul(3f)).div(4f);
        NDArray expected = Recurrences.gla(q, k, v, logAlpha);
        for (int chunk : new int[] {16, 32}) {
            assertThat(Recurrences.relativeError(GatedLinearAttentionBlock.chunked(q, k, v, logAlpha, chunk), expected))
                    .as("chunk %d", chunk).isLessThan(1e-4f);
        }
    }

    @Test
    void gatedLinearAttentionSurvivesExtremeDecays() {
        NDArray q = random(37, DK);
        NDArray k = random(37, DK);
        NDArray v = random(37, DV);
        // log-decays down to -1e4 per step: cumulative sums of -4e5 inside a chunk.
        NDArray logAlpha = Ops.logSigmoid(random(37, DK).mul(1e4f));
        NDArray actual = GatedLinearAttentionBlock.chunked(q, k, v, logAlpha, 16);
        assertThat(actual.isNaN().any().getBoolean() || actual.isInfinite().any().getBoolean()).isFalse();
        assertThat(Recurrences.relativeError(actual, Recurrences.gla(q, k, v, logAlpha))).isLessThan(1e-4f);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 16, 37})
    void deltaNetMatchesTheDeltaRule(int seq) {
        NDArray q = Ops.l2Normalize(random(seq, DK));
        NDArray k = Ops.l2Normalize(random(seq, DK));
        NDArray v = random(seq, DV);
        NDArray beta = Activation.sigmoid(random(seq, 1).mul(2f));
        NDArray expected = Recurrences.deltaRule(q, k, v, beta);
        for (int chunk : new int[] {16, 32}) {
            assertThat(Recurrences.relativeError(DeltaNetBlock.chunked(q, k, v, beta, chunk), expected))
                    .as("chunk %d", chunk).isLessThan(1e-4f);
        }
    }

    @Test
    void deltaNetMatchesTheDeltaRuleWithRepeatedKeys() {
        // The same key everywhere and beta = 1: the ill-conditioned case for a Neumann series.
        int seq = 70;
        NDArray q = Ops.l2Normalize(random(seq, DK));
        NDArray k = Ops.l2Normalize(random(1, DK)).repeat(2, seq);
        NDArray v = random(seq, DV);
        NDArray beta = manager.ones(new Shape(B, H, seq, 1));
        NDArray expected = Recurrences.deltaRule(q, k, v, beta);
        assertThat(Recurrences.relativeError(DeltaNetBlock.chunked(q, k, v, beta, 64), expected)).isLessThan(1e-4f);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 16, 37})
    void gatedDeltaNetMatchesTheGatedDeltaRule(int seq) {
        NDArray q = Ops.l2Normalize(random(seq, DK));
        NDArray k = Ops.l2Normalize(random(seq, DK));
        NDArray v = random(seq, DV);
        NDArray beta = Activation.sigmoid(random(seq, 1).mul(2f));
        NDArray logAlpha = Ops.logSigmoid(random(seq, 1).mul(3f).add(2f));
        NDArray expected = Recurrences.gatedDeltaRule(q, k, v, beta, logAlpha);
        for (int chunk : new int[] {16, 32}) {
            assertThat(Recurrences.relativeError(DeltaNetBlock.chunked(q, k, v, beta, logAlpha, chunk), expected))
                    .as("chunk %d", chunk).isLessThan(1e-4f);
        }
        // No decay: the plain delta rule.
        NDArray none = logAlpha.zerosLike();
        assertThat(Recurrences.relativeError(DeltaNetBlock.chunked(q, k, v, beta, none, 16), DeltaNetBlock.chunked(q, k, v, beta, 16)))
                .isLessThan(1e-5f);
    }

    @Test
    void gatedDeltaNetSurvivesExtremeDecays() {
        NDArray q = Ops.l2Normalize(random(37, DK));
        NDArray k = Ops.l2Normalize(random(37, DK));
        NDArray v = random(37, DV);
        NDArray beta = Activation.sigmoid(random(37, 1));
        NDArray logAlpha = Ops.logSigmoid(random(37, 1).mul(1e4f)); // down to -1e4 per step
        NDArray actual = DeltaNetBlock.chunked(q, k, v, beta, logAlpha, 16);
        assertThat(actual.isNaN().any().getBoolean() || actual.isInfinite().any().getBoolean()).isFalse();
        assertThat(Recurrences.relativeError(actual, Recurrences.gatedDeltaRule(q, k, v, beta, logAlpha))).isLessThan(1e-4f);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8, 64})
    void unitLowerInverseMatchesTheEngineInverse(int size) {
        NDArray k = Ops.l2Normalize(manager.randomNormal(new Shape(3, size, DK)));
        NDArray kBeta = k.mul(Activation.sigmoid(manager.randomNormal(new Shape(3, size, 1))));
        NDArray strict = kBeta.matMul(k.transpose(0, 2, 1)).mul(Ops.lowerMask(k, size, true));
        NDArray unit = strict.add(manager.eye(size));
        NDArray inverse = DeltaNetBlock.unitLowerInverse(kBeta, k);
        assertThat(Recurrences.relativeError(inverse, unit.inverse())).isLessThan(1e-4f);
        NDArray product = unit.matMul(inverse).sub(manager.eye(size));
        assertThat(product.abs().max().getFloat()).isLessThan(1e-4f);
    }

    @Test
    void decayedUnitLowerInverseMatchesTheEngineInverse() {
        int size = 16;
        NDArray k = Ops.l2Normalize(manager.randomNormal(new Shape(3, size, DK)));
        NDArray kBeta = k.mul(Activation.sigmoid(manager.randomNormal(new Shape(3, size, 1))));
        NDArray g = Ops.logSigmoid(manager.randomNormal(new Shape(3, size, 1))).cumSum(1);
        NDArray decay = g.sub(g.transpose(0, 2, 1)).minimum(0f).exp();
        NDArray strict = kBeta.matMul(k.transpose(0, 2, 1)).mul(decay).mul(Ops.lowerMask(k, size, true));
        NDArray unit = strict.add(manager.eye(size));
        assertThat(Recurrences.relativeError(DeltaNetBlock.unitLowerInverse(kBeta, k, g), unit.inverse())).isLessThan(1e-4f);
    }

    @Test
    void unitLowerInverseStaysAccurateWhereTheSeriesWouldCancel() {
        // I + strictly-lower ones: the Neumann terms reach binomial(63, 31) ~ 1e18, the inverse is bidiagonal.
        int size = 64;
        NDArray ones = manager.ones(new Shape(size, 1));
        NDArray strict = Ops.lowerMask(ones, size, true);
        NDArray inverse = DeltaNetBlock.unitLowerInverse(ones, ones);
        float[] bidiagonal = new float[size * size];
        for (int i = 0; i < size; i++) {
            bidiagonal[i * size + i] = 1f;
            if (i > 0) {
                bidiagonal[i * size + i - 1] = -1f;
            }
        }
        NDArray expected = manager.create(bidiagonal, new Shape(size, size));
        assertThat(inverse.sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
        // The product (I - L)(I + L^2)(I + L^4)... is the same inverse in exact arithmetic only.
        NDArray series = manager.eye(size).sub(strict);
        NDArray power = strict;
        for (int step = 1; step < 6; step++) {
            power = power.matMul(power);
            series = series.matMul(manager.eye(size).add(power));
        }
        assertThat(series.sub(expected).abs().max().getFloat()).isGreaterThan(1f);
    }

    @Test
    void deltaNetRefusesAChunkThatIsNotAPowerOfTwo() {
        DeltaNetComponent component = new DeltaNetComponent();
        assertThatThrownBy(() -> component.build(context(16, true), LinearAttentionFamilyTest.params(component, Ops.CHUNK, 24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.deltanet: chunk 24 is not a power of two");
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 16, 37})
    void retentionMatchesTheRecurrence(int seq) {
        NDArray q = random(seq, DK);
        NDArray k = random(seq, DK);
        NDArray v = random(seq, DV);
        NDArray logGamma = manager.create(new float[] {(float) Math.log(0.5), (float) Math.log(0.97)});
        NDArray expected = Recurrences.retention(q, k, v, logGamma);
        for (int chunk : new int[] {16, 32}) {
            assertThat(Recurrences.relativeError(RetentionBlock.chunked(q, k, v, logGamma, chunk), expected))
                    .as("chunk %d", chunk).isLessThan(1e-4f);
        }
    }

    @Test
    void retentionMatchesTheParallelFormWithTheDecayMask() {
        int seq = 21;
        NDArray q = random(seq, DK);
        NDArray k = random(seq, DK);
        NDArray v = random(seq, DV);
        float[] logDecays = RetentionBlock.logDecays(H);
        float[] mask = new float[H * seq * seq];
        for (int h = 0; h < H; h++) {
            for (int n = 0; n < seq; n++) {
                for (int m = 0; m <= n; m++) {
                    mask[(h * seq + n) * seq + m] = (float) Math.pow(1 - Math.pow(2, -5 - h), n - m);
                }
            }
        }
        NDArray d = manager.create(mask, new Shape(1, H, seq, seq));
        NDArray expected = q.matMul(k.transpose(0, 1, 3, 2)).mul(d).matMul(v);
        NDArray actual = RetentionBlock.chunked(q, k, v, manager.create(logDecays), 16);
        assertThat(Recurrences.relativeError(actual, expected)).isLessThan(1e-4f);
    }

    @Test
    void retentionDecaysFollowThePaper() {
        float[] logDecays = RetentionBlock.logDecays(4);
        double[] gammas = {1 - 1 / 32.0, 1 - 1 / 64.0, 1 - 1 / 128.0, 1 - 1 / 256.0};
        for (int h = 0; h < 4; h++) {
            assertThat(Math.exp(logDecays[h])).isCloseTo(gammas[h], org.assertj.core.data.Offset.offset(1e-7));
        }
    }

    @Test
    void retentionRefusesAnOddHeadDim() {
        RetentionComponent component = new RetentionComponent();
        assertThatThrownBy(() -> component.build(context(24, true), LinearAttentionFamilyTest.params(component, Ops.HEADS, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("attention.retention: head_dim 3");
    }

    @Test
    void glaRefusesAChunkThatIsNotAMultipleOfTheSubChunk() {
        GatedLinearAttentionComponent component = new GatedLinearAttentionComponent();
        assertThatThrownBy(() -> component.build(context(16, true), LinearAttentionFamilyTest.params(component, Ops.CHUNK, 20)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.gla: chunk 20 is not a multiple of 8");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8, 16})
    void glaSubChunkSizeDoesNotChangeTheScores(int subChunk) {
        NDArray q = random(32, DK);
        NDArray k = random(32, DK);
        NDArray v = random(32, DV);
        NDArray logAlpha = Ops.logSigmoid(random(32, DK).mul(3f)).div(4f);
        NDArray expected = Recurrences.gla(q, k, v, logAlpha);
        assertThat(Recurrences.relativeError(GatedLinearAttentionBlock.chunked(q, k, v, logAlpha, 32, subChunk), expected))
                .isLessThan(1e-4f);
    }

    @Test
    void glaRefusesAKeyWidthThatHeadsDoNotDivide() {
        GatedLinearAttentionComponent component = new GatedLinearAttentionComponent();
        assertThatThrownBy(() -> component.build(context(24, true),
                LinearAttentionFamilyTest.params(component, Ops.HEADS, 8, GatedLinearAttentionComponent.KEY_EXPANSION, 0.25)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention.gla: key width 6 is not divisible by heads 8");
    }

    @Test
    void recurrentComponentsStayCausalWhenTheTaskIsNot() {
        for (var component : LinearAttentionFamilyTest.components()) {
            if (component instanceof LinearAttentionComponent) { // the one with a non-causal mode
                continue;
            }
            Block block = BlockTesting.initialized(component.build(context(16, false), LinearAttentionFamilyTest.params(component)),
                    manager, BlockTesting.INPUT);
            NDArray x = manager.randomNormal(BlockTesting.INPUT);
            assertThat(BlockTesting.futureLeak(block, manager, x, 3)).as(component.id()).isLessThan(1e-4f);
        }
    }
}
