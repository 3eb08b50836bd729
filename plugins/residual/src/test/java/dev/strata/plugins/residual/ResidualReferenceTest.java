package dev.strata.plugins.residual;

import static dev.strata.plugins.residual.ResidualOperatorsTest.D;
import static dev.strata.plugins.residual.ResidualOperatorsTest.SHAPE;
import static dev.strata.plugins.residual.ResidualOperatorsTest.T;
import static dev.strata.plugins.residual.ResidualOperatorsTest.op;
import static dev.strata.plugins.residual.ResidualOperatorsTest.setRandom;
import static dev.strata.testkit.BlockTesting.context;
import static dev.strata.testkit.BlockTesting.forward;
import static dev.strata.testkit.BlockTesting.initialized;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import dev.strata.plugins.residual.TestLayers.Operator;
import dev.strata.plugins.residual.TestLayers.Stack;
import dev.strata.plugins.residual.TestLayers.TrackingSublayers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each operator against what its paper writes down: closed forms with scalar sublayers, and naive
 * layer-by-layer (stream-by-stream, source-by-source) references on hand-made stacks.
 */
class ResidualReferenceTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    // ------------------------------------------------------------------ closed forms

    /** norm = x/2, token = 2x, channel = x + 1. */
    private NDArray runScalarLayer(Operator op, NDArray x, int[] normsMade) {
        TrackingSublayers parts = new TrackingSublayers(LambdaBlock.singleton(a -> a.mul(2f)),
                LambdaBlock.singleton(a -> a.add(1f)), () -> LambdaBlock.singleton(a -> a.mul(0.5f)));
        Block block = initialized(op.component().wrap(context(D, true), op.params(), parts), manager, SHAPE);
        NDArray y = forward(block, manager, x, false);
        normsMade[0] = parts.norms.size();
        return y;
    }

    private void assertClosedForm(Operator op, float slope, float offset, int norms) {
        NDArray x = manager.randomNormal(SHAPE);
        int[] made = new int[1];
        NDArray y = runScalarLayer(op, x, made);
        assertClose(y, x.mul(slope).add(offset));
        assertThat(made[0]).as("norms made").isEqualTo(norms);
    }

    @Test
    void sandwichNormalisesBeforeAndAfterEachSublayer() {
        // x1 = x + (2 (x/2)) / 2 = 1.5x; x2 = x1 + ((x1/2 + 1) / 2) = 1.875x + 0.5
        assertClosedForm(op(new SandwichNormComponent()), 1.875f, 0.5f, 4);
    }

    @Test
    void reZeroScalesBothSublayersByAlpha() {
        // x1 = x + 0.5 (2x) = 2x; x2 = 2x + 0.5 (2x + 1) = 3x + 0.5
        assertClosedForm(op(new ReZeroComponent(), "alpha_init", 0.5), 3f, 0.5f, 0);
    }

    @Test
    void layerScaleScalesEachPreNormSublayer() {
        // x1 = x + 0.1 (2 (x/2)) = 1.1x; x2 = 1.1x + 0.1 (0.55x + 1) = 1.155x + 0.1
        assertClosedForm(op(new LayerScaleComponent(), "init", 0.1), 1.155f, 0.1f, 2);
    }

    @Test
    void parallelFeedsOneNormToBothSublayers() {
        // x + 2 (x/2) + (x/2 + 1) = 2.5x + 1
        assertClosedForm(op(new ParallelComponent()), 2.5f, 1f, 1);
    }

    @Test
    void loopedRepeatsThePreNormLayer() {
        // one pre-norm layer: x -> 3x + 1 (see ResidualTest); twice 9x + 4, three times 27x + 13
        assertClosedForm(op(new LoopedComponent(), "loops", 1), 3f, 1f, 2);
        assertClosedForm(op(new LoopedComponent(), "loops", 2), 9f, 4f, 2);
        assertClosedForm(op(new LoopedComponent(), "loops", 3), 27f, 13f, 2);
    }

    @Test
    void tinyLayerScaleStartsCloseToTheIdentity() {
        Stack s = init(new Stack(D, T, true, op(new LayerScaleComponent(), "init", 1e-5), 3));
        NDArray x = manager.randomNormal(SHAPE);
        assertThat(forward(s, manager, x, false).sub(x).abs().max().getFloat()).isLessThan(1e-3f);
    }

    // ------------------------------------------------------------------ identity at init

    @Test
    void denseFormerStartsAsPreNorm() {
        Stack s = init(new Stack(D, T, true, op(new DenseFormerComponent()), 3));
        NDArray x = manager.randomNormal(SHAPE);
        NDArray expected = x;
        for (Block layer : s.layers) {
            expected = preNorm(layer, expected);
        }
        assertClose(forward(s, manager, x, false), expected);
        assertThat(((Block) s.layers.get(2)).getDirectParameters().get("dwa_weights").getArray().toFloatArray())
                .containsExactly(0f, 0f, 0f, 1f);
    }

    @ParameterizedTest(name = "dynamic={0}")
    @ValueSource(booleans = {false, true})
    void hyperConnectionsStartAsPreNormOnEveryStream(boolean dynamic) {
        int n = dynamic ? 3 : 4;
        Stack s = init(new Stack(D, T, true,
                op(new HyperConnectionsComponent(), "streams", n, "dynamic", String.valueOf(dynamic)), 3));
        NDArray x = manager.randomNormal(SHAPE);
        NDArray expected = x;
        for (Block layer : s.layers) {
            expected = preNorm(layer, expected);
        }
        NDArray y = forward(s, manager, x, false);
        // The returned sum is n copies of the pre-norm stream; a final norm sees the same thing.
        assertClose(y, expected.mul(n));
        NDArray streams = s.state.get(HyperConnectionsBlock.STREAMS_KEY + 2);
        for (int i = 0; i < n; i++) {
            assertClose(streams.get("..., " + i), expected); // streams are (B, T, D, n)
        }
        assertClose(rms(y), rms(expected));
        // The paper's init: sublayer m = 2k + s reads stream m mod n, width connections are I, beta = 1.
        for (int k = 0; k < 3; k++) {
            for (String sub : new String[] {"token", "channel"}) {
                int m = 2 * k + (sub.equals("token") ? 0 : 1);
                float[] alpha = own(s.layers.get(k), sub + "_static_alpha").toFloatArray();
                for (int i = 0; i < n; i++) {
                    assertThat(alpha[i * (n + 1)]).isEqualTo(i == m % n ? 1f : 0f);
                    for (int j = 0; j < n; j++) {
                        assertThat(alpha[i * (n + 1) + 1 + j]).isEqualTo(i == j ? 1f : 0f);
                    }
                }
                assertThat(own(s.layers.get(k), sub + "_static_beta").toFloatArray()).containsOnly(1f);
            }
        }
    }

    // ------------------------------------------------------------------ naive references

    @Test
    void denseFormerMatchesTheDepthWeightedAverage() {
        assertMatchesReference(List.of(op(new DenseFormerComponent()), op(new DenseFormerComponent()),
                op(new DenseFormerComponent()), op(new DenseFormerComponent())));
    }

    @Test
    void denseFormerAfterOtherLayersAveragesTheirOutputs() {
        assertMatchesReference(List.of(op(new PreNormComponent()), op(new DenseFormerComponent()),
                op(new ParallelComponent()), op(new DenseFormerComponent())));
    }

    @ParameterizedTest(name = "dynamic={0}")
    @ValueSource(booleans = {false, true})
    void hyperConnectionsMatchAStreamByStreamReference(boolean dynamic) {
        Operator hc = op(new HyperConnectionsComponent(), "streams", 3, "dynamic", String.valueOf(dynamic));
        assertMatchesReference(List.of(hc, hc, hc));
    }

    @Test
    void hyperConnectionsRestartTheirStreamsAfterAnotherResidualType() {
        Operator hc = op(new HyperConnectionsComponent(), "streams", 2);
        Operator dynamic = op(new HyperConnectionsComponent(), "streams", 2, "dynamic", "true");
        assertMatchesReference(List.of(op(new PreNormComponent()), hc, dynamic, op(new PreNormComponent()), hc));
    }

    @Test
    void depthAttentionMatchesASourceBySourceReference() {
        Operator da = op(new DepthAttentionComponent(), "key_dim", 8);
        assertMatchesReference(List.of(da, da, da, da));
        assertMatchesReference(List.of(op(new PreNormComponent()), da, op(new DenseFormerComponent()), da));
    }

    /** Builds the stack, gives every operator parameter random values, compares with {@link #reference}. */
    private void assertMatchesReference(List<Operator> operators) {
        Stack s = init(new Stack(D, T, true, operators, 1));
        for (Block layer : s.layers) {
            for (Parameter p : layer.getDirectParameters().values()) {
                setRandom(p, manager, 0.5f);
            }
        }
        NDArray x = manager.randomNormal(SHAPE);
        assertClose(forward(s, manager, x, false), reference(s, x));
        assertClose(forward(s, manager, x, true), reference(s, x));
    }

    /** The stack computed layer by layer from the papers' formulas, with the stack's own sublayers. */
    private NDArray reference(Stack s, NDArray x) {
        NDArray embedding = x;
        List<NDArray> outputs = new ArrayList<>();
        Map<Integer, NDArray> raw = new HashMap<>();
        NDArray[] streams = null;
        NDArray streamsOutput = null;
        for (int k = 0; k < s.layers.size(); k++) {
            Block b = s.layers.get(k);
            NDArray y;
            if (b instanceof DenseFormerBlock) {
                NDArray blockOut = preNorm(b, x);
                raw.put(k, blockOut);
                List<NDArray> sources = new ArrayList<>();
                sources.add(embedding);
                for (int j = 0; j < k; j++) {
                    sources.add(raw.getOrDefault(j, outputs.get(j)));
                }
                sources.add(blockOut);
                float[] w = own(b, "dwa_weights").toFloatArray();
                assertThat(w).hasSize(k + 2);
                y = sources.get(0).mul(w[0]);
                for (int j = 1; j < sources.size(); j++) {
                    y = y.add(sources.get(j).mul(w[j]));
                }
            } else if (b instanceof HyperConnectionsBlock) {
                int n = (int) own(b, "token_static_beta").size();
                NDArray[] h = streams != null && streamsOutput == x ? streams : null;
                if (h == null) {
                    h = new NDArray[n];
                    java.util.Arrays.fill(h, x);
                }
                h = hyperConnect(b, "token", h, child(b, "norm1"), child(b, "token"));
                h = hyperConnect(b, "channel", h, child(b, "norm2"), child(b, "channel"));
                y = h[0];
                for (int i = 1; i < n; i++) {
                    y = y.add(h[i]);
                }
                streams = h;
                streamsOutput = y;
            } else if (b instanceof DepthAttentionBlock) {
                NDArray m = x;
                if (k > 0) {
                    List<NDArray> sources = new ArrayList<>();
                    sources.add(embedding);
                    sources.addAll(outputs.subList(0, k - 1)); // out_{k-1} is x itself
                    sources.add(x);
                    m = depthMix(b, sources, x);
                }
                y = preNorm(b, m);
            } else if (b instanceof ResidualBlock) {
                y = preNorm(b, x); // pre-norm only in these stacks
            } else if (b instanceof ParallelBlock) {
                NDArray h = run(child(b, "norm"), x);
                y = x.add(run(child(b, "token"), h)).add(run(child(b, "channel"), h));
            } else {
                throw new IllegalArgumentException("no reference for " + b.getClass());
            }
            outputs.add(y);
            x = y;
        }
        return x;
    }

    /** {@code H_j <- sum_i A_r[i][j] H_i + B_j f(sum_i A_m[i] H_i)}, weights per position if dynamic. */
    private NDArray[] hyperConnect(Block b, String prefix, NDArray[] h, Block norm, Block sublayer) {
        int n = h.length;
        float[] alpha = own(b, prefix + "_static_alpha").toFloatArray();
        float[] beta = own(b, prefix + "_static_beta").toFloatArray();
        boolean dynamic = b.getDirectParameters().contains(prefix + "_dynamic_alpha_fn");
        NDArray[][] a = new NDArray[n][n + 1];
        NDArray[] bw = new NDArray[n];
        for (int i = 0; i < n; i++) {
            NDArray da = null;
            NDArray db = null;
            if (dynamic) {
                NDArray normed = rms(h[i]);
                da = normed.matMul(own(b, prefix + "_dynamic_alpha_fn")).tanh().mul(own(b, prefix + "_dynamic_alpha_scale"));
                db = normed.matMul(own(b, prefix + "_dynamic_beta_fn")).tanh().mul(own(b, prefix + "_dynamic_beta_scale"));
            }
            for (int c = 0; c <= n; c++) {
                NDArray constant = manager.create(alpha[i * (n + 1) + c]);
                a[i][c] = dynamic ? da.get(":, :, " + c + ":" + (c + 1)).add(constant) : constant;
            }
            NDArray constant = manager.create(beta[i]);
            bw[i] = dynamic ? db.add(constant) : constant;
        }
        NDArray input = h[0].mul(a[0][0]);
        for (int i = 1; i < n; i++) {
            input = input.add(h[i].mul(a[i][0]));
        }
        NDArray out = run(sublayer, run(norm, input));
        NDArray[] next = new NDArray[n];
        for (int j = 0; j < n; j++) {
            NDArray acc = out.mul(bw[j]);
            for (int i = 0; i < n; i++) {
                acc = acc.add(h[i].mul(a[i][1 + j]));
            }
            next[j] = acc;
        }
        return next;
    }

    /** Softmax over sources of {@code q . k_j / sqrt(d_k)}, one source at a time. */
    private NDArray depthMix(Block b, List<NDArray> sources, NDArray x) {
        NDArray wq = own(b, "depth_query");
        NDArray wk = own(b, "depth_key");
        double dk = wq.getShape().get(1);
        NDArray q = rms(x).matMul(wq).div(Math.sqrt(dk));
        List<NDArray> scores = new ArrayList<>();
        NDArray max = null;
        for (NDArray r : sources) {
            NDArray score = q.mul(rms(r).matMul(wk)).sum(new int[] {-1}, true);
            scores.add(score);
            max = max == null ? score : NDArrays.maximum(max, score);
        }
        NDArray total = null;
        NDArray mix = null;
        for (int j = 0; j < sources.size(); j++) {
            NDArray e = scores.get(j).sub(max).exp();
            total = total == null ? e : total.add(e);
            mix = mix == null ? sources.get(j).mul(e) : mix.add(sources.get(j).mul(e));
        }
        return mix.div(total);
    }

    // ------------------------------------------------------------------ helpers

    private Stack init(Stack s) {
        initialized(s, manager, SHAPE);
        return s;
    }

    private NDArray preNorm(Block layer, NDArray x) {
        NDArray h = x.add(run(child(layer, "token"), run(child(layer, "norm1"), x)));
        return h.add(run(child(layer, "channel"), run(child(layer, "norm2"), h)));
    }

    private NDArray run(Block block, NDArray x) {
        return forward(block, manager, x, false);
    }

    private static NDArray rms(NDArray x) {
        return x.div(x.square().mean(new int[] {-1}, true).add(1e-6f).sqrt());
    }

    /** A child by the name its parent gave it (DJL prefixes a two-digit position). */
    private static Block child(Block parent, String name) {
        for (var e : parent.getChildren()) {
            if (e.getKey().substring(2).equals(name)) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("no child " + name + " in " + parent.getChildren().keys());
    }

    private static NDArray own(Block b, String name) {
        return b.getDirectParameters().get(name).getArray();
    }

    private static void assertClose(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float scale = Math.max(1f, expected.abs().max().getFloat());
        assertThat(actual.sub(expected).abs().max().getFloat()).isLessThanOrEqualTo(1e-4f * scale);
    }
}
