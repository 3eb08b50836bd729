package org.example.strata;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/** The EMA mixer's DJL block: (batch, seq, d) to (batch, seq, d). */
final class EmaBlock extends SequenceBlock {

    private final Parameter rateLogit;
    private final Linear out;

    EmaBlock(int dModel, double alphaInit) {
        // a = sigmoid(logit): the rate stays in (0, 1) whatever the optimizer does.
        float logit = (float) Math.log(alphaInit / (1 - alphaInit));
        this.rateLogit = addParameter(Parameter.builder().setName("rate_logit").setType(Parameter.Type.OTHER)
                .optShape(new Shape(dModel)).optInitializer(new ConstantInitializer(logit)).build());
        this.out = addChildBlock("out", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        long d = x.getShape().get(2);
        NDArray logit = store.getValue(rateLogit, x.getDevice(), training).reshape(d, 1, 1);

        // distance[t, s] = t - s where s <= t. Future entries get distance 0 and are zeroed by the
        // mask afterwards, so no exp() of a positive number can overflow.
        NDArray positions = x.getManager().arange(0f, seq, 1f, DataType.FLOAT32, x.getDevice());
        NDArray distance = positions.reshape(seq, 1).sub(positions.reshape(1, seq));
        NDArray past = distance.gte(0).toType(DataType.FLOAT32, false);
        distance = distance.mul(past);

        // weight[c, t, s] = a_c (1 - a_c)^(t - s), in log space: log a = logsigmoid(logit),
        // log(1 - a) = logsigmoid(-logit); both finite for any logit.
        NDArray logRate = logSigmoid(logit);
        NDArray logKeep = logSigmoid(logit.neg());
        NDArray weights = logKeep.mul(distance).add(logRate).exp().mul(past); // (d, seq, seq)

        // (batch, seq, d) -> (batch, d, seq, 1); one batched matmul over batch and channels.
        NDArray columns = x.transpose(0, 2, 1).reshape(batch, d, seq, 1);
        NDArray averaged = weights.matMul(columns).reshape(batch, d, seq).transpose(0, 2, 1);
        return out.forward(store, new NDList(averaged), training);
    }

    /** log(sigmoid(z)) = -softplus(-z), computed stably. */
    private static NDArray logSigmoid(NDArray z) {
        NDArray negative = z.neg();
        // softplus(u) = max(u, 0) + log(1 + exp(-|u|))
        NDArray softplus = negative.maximum(0f).add(negative.abs().neg().exp().add(1f).log());
        return softplus.neg();
    }
}
