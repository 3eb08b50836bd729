package dev.strata.plugins.attention;

import static dev.strata.plugins.attention.Reference.allowed;
import static dev.strata.plugins.attention.Reference.assertClose;
import static dev.strata.plugins.attention.Reference.causalRule;
import static dev.strata.plugins.attention.Reference.channels;
import static dev.strata.plugins.attention.Reference.linear;
import static dev.strata.plugins.attention.Reference.maskedSoftmax;
import static dev.strata.plugins.attention.Reference.param;
import static dev.strata.plugins.attention.Reference.scores;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.strata.api.BuildContext;
import dev.strata.api.SequenceComponent;
import dev.strata.testkit.BlockTesting.MapLayerState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each block against a naive reference written head by head, with masks spelled out position by
 * position, on tiny tensors (batch 2, 8 positions, d_model 16). Parameters are moved off their
 * initial values first, so identity or constant initialisations hide nothing.
 */
class AttentionReferenceTest {

    private static final int B = 2;
    private static final int T = 8;
    private static final int D = 16;
    private static final Shape INPUT = new Shape(B, T, D);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Block build(SequenceComponent c, boolean causal, int layer, Object... overrides) {
        BuildContext ctx = new BuildContext(D, T, causal, layer, layer + 1, new MapLayerState());
        Block block = initialized(c.build(ctx, Components.params(c, overrides)), manager, INPUT);
        Reference.jiggle(block, manager);
        return block;
    }

    /** Standard per-head softmax attention with a rule, from (B, T, H*Dh) projections. */
    private NDArray standardHeads(NDArray q, NDArray k, NDArray v, int heads, int kvHeads, BiPredicate<Integer, Integer> rule) {
        int dh = D / heads;
        NDArray keep = allowed(manager, T, T, rule);
        List<NDArray> out = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            int g = h / (heads / kvHeads);
            NDArray qh = channels(q, (long) h * dh, (long) (h + 1) * dh);
            NDArray kh = channels(k, (long) g * dh, (long) (g + 1) * dh);
            NDArray vh = channels(v, (long) g * dh, (long) (g + 1) * dh);
            out.add(maskedSoftmax(scores(qh, kh).div(Math.sqrt(dh)), keep).batchMatMul(vh));
        }
        return NDArrays.concat(new NDList(out), -1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void groupedQueryMatchesHeadByHead(boolean causal) {
        for (int kvHeads : new int[] {1, 2, 4}) {
            Block block = build(new GroupedQueryAttentionComponent(), causal, 0, "heads", 4, "kv_heads", kvHeads);
            NDArray x = manager.randomNormal(INPUT);
            NDArray qkv = linear(x, block, "qkv");
            long kv = (long) kvHeads * (D / 4);
            NDArray heads = standardHeads(channels(qkv, 0, D), channels(qkv, D, D + kv), channels(qkv, D + kv, D + 2 * kv),
                    4, kvHeads, causalRule(causal));
            assertClose(forward(block, manager, x, false), linear(heads, block, "out"));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void multiQueryIsOneSharedKeyValueHead(boolean causal) {
        Block block = build(new MultiQueryAttentionComponent(), causal, 0, "heads", 4);
        NDArray x = manager.randomNormal(INPUT);
        NDArray qkv = linear(x, block, "qkv");
        NDArray heads = standardHeads(channels(qkv, 0, D), channels(qkv, D, D + 4), channels(qkv, D + 4, D + 8),
                4, 1, causalRule(causal));
        assertClose(forward(block, manager, x, false), linear(heads, block, "out"));
    }

    /** q, k, v of the fused d -> 3d projection of the Projected* blocks, as (B, T, D) each. */
    private NDArray[] qkv(Block block, NDArray x) {
        NDArray qkv = linear(x, block, "qkv");
        return new NDArray[] {channels(qkv, 0, D), channels(qkv, D, 2 * D), channels(qkv, 2 * D, 3 * D)};
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void slidingWindowReadsOnlyTheWindow(boolean causal) {
        for (int window : new int[] {1, 3, 8}) {
            Block block = build(new SlidingWindowAttentionComponent(), causal, 0, "heads", 2, "window", window);
            NDArray x = manager.randomNormal(INPUT);
            NDArray[] p = qkv(block, x);
            BiPredicate<Integer, Integer> rule = causal
                    ? (i, j) -> j <= i && i - j < window
                    : (i, j) -> Math.abs(i - j) < window;
            assertClose(forward(block, manager, x, false), linear(standardHeads(p[0], p[1], p[2], 2, 2, rule), block, "out"));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void talkingHeadsMixesLogitsAndWeightsAcrossHeads(boolean causal) {
        int heads = 4;
        int dh = D / heads;
        Block block = build(new TalkingHeadsAttentionComponent(), causal, 0, "heads", heads);
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] p = qkv(block, x);
        float[] logitMix = param(block, "logit_mix").toFloatArray();
        float[] weightMix = param(block, "weight_mix").toFloatArray();
        NDArray keep = allowed(manager, T, T, causalRule(causal));
        List<NDArray> logits = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            logits.add(scores(channels(p[0], h * dh, (h + 1) * dh), channels(p[1], h * dh, (h + 1) * dh)).div(Math.sqrt(dh)));
        }
        List<NDArray> probs = new ArrayList<>();
        for (int i = 0; i < heads; i++) {
            NDArray mixed = manager.zeros(logits.get(0).getShape());
            for (int j = 0; j < heads; j++) {
                mixed = mixed.add(logits.get(j).mul(logitMix[i * heads + j]));
            }
            probs.add(maskedSoftmax(mixed, keep));
        }
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < heads; i++) {
            NDArray weights = manager.zeros(probs.get(0).getShape());
            for (int j = 0; j < heads; j++) {
                weights = weights.add(probs.get(j).mul(weightMix[i * heads + j]));
            }
            out.add(weights.batchMatMul(channels(p[2], i * dh, (i + 1) * dh)));
        }
        assertClose(forward(block, manager, x, false), Reference.output(out, block));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void persistentMemoryIsVisibleToEveryPosition(boolean causal) {
        int heads = 2;
        int dh = D / heads;
        int memory = 3;
        Block block = build(new PersistentMemoryAttentionComponent(), causal, 0, "heads", heads, "memory", memory);
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] p = qkv(block, x);
        NDArray memoryKeys = param(block, "memory_keys");
        NDArray memoryValues = param(block, "memory_values");
        // Key columns 0..N-1 are the memory; column N + j is position j.
        NDArray keep = allowed(manager, T, memory + T, (i, j) -> j < memory || !causal || j - memory <= i);
        List<NDArray> out = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            Shape slots = new Shape(B, memory, dh);
            NDArray keys = NDArrays.concat(new NDList(memoryKeys.get(h).broadcast(slots), channels(p[1], h * dh, (h + 1) * dh)), 1);
            NDArray values = NDArrays.concat(new NDList(memoryValues.get(h).broadcast(slots), channels(p[2], h * dh, (h + 1) * dh)), 1);
            NDArray s = scores(channels(p[0], h * dh, (h + 1) * dh), keys).div(Math.sqrt(dh));
            out.add(maskedSoftmax(s, keep).batchMatMul(values));
        }
        assertClose(forward(block, manager, x, false), Reference.output(out, block));
    }

    @ParameterizedTest
    @ValueSource(strings = {"learned", "fixed"})
    void qkNormNormalisesEachHeadsQueriesAndKeys(String temperature) {
        int heads = 4;
        int dh = D / heads;
        Block block = build(new QkNormAttentionComponent(), true, 0, "heads", heads, "temperature", temperature);
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] p = qkv(block, x);
        NDArray queryGain = param(block, "query_gain");
        NDArray keyGain = param(block, "key_gain");
        double scale = "fixed".equals(temperature) ? 1 / Math.sqrt(dh) : param(block, "temperature").getFloat();
        NDArray keep = allowed(manager, T, T, causalRule(true));
        List<NDArray> out = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            String part = h * dh + ":" + (h + 1) * dh;
            NDArray q = rms(channels(p[0], h * dh, (h + 1) * dh), 1e-6f).mul(queryGain.get(part));
            NDArray k = rms(channels(p[1], h * dh, (h + 1) * dh), 1e-6f).mul(keyGain.get(part));
            out.add(maskedSoftmax(scores(q, k).mul(scale), keep).batchMatMul(channels(p[2], h * dh, (h + 1) * dh)));
        }
        assertClose(forward(block, manager, x, false), Reference.output(out, block));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void differentialSubtractsTwoSoftmaxMaps(int layer) {
        int heads = 2;
        int dh = D / heads;
        int half = dh / 2;
        Block block = build(new DifferentialAttentionComponent(), true, layer, "heads", heads);
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] p = qkv(block, x);
        double lambda = Math.exp(param(block, "lambda_q1").mul(param(block, "lambda_k1")).sum().getFloat())
                - Math.exp(param(block, "lambda_q2").mul(param(block, "lambda_k2")).sum().getFloat())
                + (0.8 - 0.6 * Math.exp(-0.3 * layer));
        double lambdaInit = 0.8 - 0.6 * Math.exp(-0.3 * layer);
        NDArray keep = allowed(manager, T, T, causalRule(true));
        List<NDArray> out = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            int q0 = h * dh;
            NDArray a1 = maskedSoftmax(scores(channels(p[0], q0, q0 + half), channels(p[1], q0, q0 + half)).div(Math.sqrt(half)), keep);
            NDArray a2 = maskedSoftmax(scores(channels(p[0], q0 + half, q0 + dh), channels(p[1], q0 + half, q0 + dh)).div(Math.sqrt(half)), keep);
            NDArray o = a1.sub(a2.mul(lambda)).batchMatMul(channels(p[2], q0, q0 + dh));
            out.add(rms(o, 1e-5f).mul(param(block, "head_gain")).mul(1 - lambdaInit));
        }
        assertClose(forward(block, manager, x, false), Reference.output(out, block));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sigmoidAttentionWeighsEachKeyIndependently(boolean causal) {
        int heads = 4;
        int dh = D / heads;
        Block block = build(new SigmoidAttentionComponent(), causal, 0, "heads", heads);
        NDArray x = manager.randomNormal(INPUT);
        NDArray[] p = qkv(block, x);
        NDArray keep = allowed(manager, T, T, causalRule(causal)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        List<NDArray> out = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            NDArray s = scores(channels(p[0], h * dh, (h + 1) * dh), channels(p[1], h * dh, (h + 1) * dh)).div(Math.sqrt(dh));
            NDArray weights = Activation.sigmoid(s.sub(Math.log(T))).mul(keep);
            out.add(weights.batchMatMul(channels(p[2], h * dh, (h + 1) * dh)));
        }
        assertClose(forward(block, manager, x, false), Reference.output(out, block));
    }

    private static NDArray rms(NDArray x, float eps) {
        return x.div(x.square().mean(new int[] {-1}, true).add(eps).sqrt());
    }
}
