package dev.strata.plugins.mixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.strata.api.LayerState;
import dev.strata.api.SequenceBlock;

/**
 * Mixture of {@code E} MLP experts with top-k routing, computed densely: every expert runs on every
 * token, and the outputs are combined with gate weights that are zero outside each token's top k.
 *
 * <p>Layout. Expert e is {@code W2_e gelu(W1_e x + b1_e) + b2_e}. The first layers of all experts
 * are one {@code d x (E h)} matrix ({@code up_weight} is stored {@code (d, E, h)}), so every
 * expert's hidden units come from one matmul. The gate is applied to the hidden units before the
 * second layer, {@code sum_e g_e (W2_e h_e + b2_e) = [g_1 h_1, ..., g_E h_E] W2 + g B2} with
 * {@code W2} the experts' second layers stacked to {@code (E h) x d}: two plain matmuls in all, the
 * cost of one MLP of width E h.
 *
 * <p>Routing. A bias-free linear router gives logits {@code l = W_r x}. The top k are taken by k
 * rounds of arg-max with the chosen experts masked out; arg-max returns the first maximum, so ties
 * go to the lower expert index. For k >= 2 the gates are the softmax over the chosen logits (the
 * renormalised top-k of Shazeer et al. 2017); for k = 1 they are the full softmax probability of
 * the chosen expert, as in Switch Transformers, since a renormalised single gate would be the
 * constant 1 and give the router no gradient from the task loss. Tokens are routed independently:
 * there is no expert capacity and no token dropping, so the block is per-position and causal-safe.
 *
 * <p>Load balance. In training forward passes, with {@code f_i} the fraction of the N * k routing
 * assignments that went to expert i and {@code P_i} the mean router probability of expert i, the
 * Switch loss {@code E * sum_i f_i P_i} (1.0 when routing is uniform) times {@code balance_weight}
 * is added to the layer state's auxiliary losses.
 */
final class MoeBlock extends SequenceBlock {

    private static final int[] TOKENS = {0};
    /** Added to the logits of experts outside the top k: softmax gives them exactly zero weight. */
    private static final float MASKED = -1e9f;

    private final int dModel;
    private final int experts;
    private final int topK;
    private final int hidden;
    private final float balanceWeight;
    private final LayerState state;
    private final Linear router;
    private final Parameter upWeight;
    private final Parameter upBias;
    private final Parameter downWeight;
    private final Parameter downBias;

    MoeBlock(int dModel, int experts, int topK, int hidden, float balanceWeight, LayerState state) {
        this.dModel = dModel;
        this.experts = experts;
        this.topK = topK;
        this.balanceWeight = balanceWeight;
        this.state = state;
        this.router = addChildBlock("router", Linear.builder().setUnits(experts).optBias(false).build());
        // He-normal, as DJL's default for a Linear weight (std sqrt(2 / fan_in)).
        this.upWeight = addParameter(Parameter.builder().setName("up_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(dModel, experts, hidden))
                .optInitializer(new NormalInitializer((float) Math.sqrt(2.0 / dModel))).build());
        this.upBias = addParameter(Parameter.builder().setName("up_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(experts, hidden)).build());
        this.downWeight = addParameter(Parameter.builder().setName("down_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(experts, hidden, dModel))
                .optInitializer(new NormalInitializer((float) Math.sqrt(2.0 / hidden))).build());
        this.downBias = addParameter(Parameter.builder().setName("down_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(experts, dModel)).build());
        this.hidden = hidden;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        router.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray logits = router.forward(store, inputs, training).singletonOrThrow(); // (B, T, E)
        Routing routing = route(logits);

        // Every expert on every token: (N, d) @ (d, E h) -> (N, E h) -> gated -> @ (E h, d) -> (N, d).
        var device = x.getDevice();
        long width = (long) experts * hidden;
        NDArray tokens = x.reshape(-1, dModel);
        NDArray gates = routing.gates().reshape(-1, experts); // (N, E)
        NDArray units = ai.djl.nn.Activation.gelu(tokens.matMul(store.getValue(upWeight, device, training).reshape(dModel, width))
                .add(store.getValue(upBias, device, training).reshape(width)));
        NDArray gated = units.reshape(-1, experts, hidden).mul(gates.expandDims(-1)).reshape(-1, width);
        NDArray y = gated.matMul(store.getValue(downWeight, device, training).reshape(width, dModel))
                .add(gates.matMul(store.getValue(downBias, device, training)))
                .reshape(shape);

        if (training && balanceWeight > 0) {
            state.addAuxiliaryLoss(balanceLoss(routing).mul(balanceWeight));
        }
        return new NDList(y);
    }

    /**
     * The routing of every token.
     *
     * @param chosen 1 where an expert is among the token's top k, else 0
     * @param probabilities the softmax of the router logits over all experts
     * @param gates the weights the expert outputs are combined with: zero outside the top k
     */
    record Routing(NDArray chosen, NDArray probabilities, NDArray gates) {}

    Routing route(NDArray logits) {
        NDArray chosen = topKMask(logits);
        NDArray probabilities = logits.softmax(-1);
        NDArray gates = topK == 1
                ? probabilities.mul(chosen)
                : logits.add(chosen.sub(1f).mul(-MASKED)).softmax(-1);
        return new Routing(chosen, probabilities, gates);
    }

    /** 1 where an expert is among a token's top k logits, else 0; ties go to the lower index. */
    NDArray topKMask(NDArray logits) {
        NDArray remaining = logits.stopGradient();
        NDArray ids = logits.getManager().arange(0f, experts, 1f, DataType.INT64, logits.getDevice());
        NDArray chosen = null;
        for (int j = 0; j < topK; j++) {
            NDArray pick = remaining.argMax(-1).expandDims(-1).eq(ids).toType(logits.getDataType(), false);
            chosen = chosen == null ? pick : chosen.add(pick);
            if (j + 1 < topK) {
                remaining = remaining.add(pick.mul(MASKED));
            }
        }
        return chosen;
    }

    /** Switch Transformers' {@code E * sum_i f_i P_i}: 1.0 for uniform routing. */
    NDArray balanceLoss(Routing routing) {
        NDArray fraction = routing.chosen().reshape(-1, experts).mean(TOKENS).div(topK); // f_i, sums to 1 over the experts
        NDArray meanProbability = routing.probabilities().reshape(-1, experts).mean(TOKENS); // P_i
        return fraction.mul(meanProbability).sum().mul(experts);
    }
}
