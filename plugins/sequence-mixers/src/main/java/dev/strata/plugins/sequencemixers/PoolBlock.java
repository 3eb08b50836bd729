package dev.strata.plugins.sequencemixers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.SequenceBlock;

/**
 * PoolFormer's token mixer on (B, T, d): {@code avg(x over the window) - x}. Causal: the window is
 * positions t-w+1..t; non-causal: w positions centred on t (one more on the left when w is even).
 * Positions outside the sequence are left out of the average, not counted as zeros (PoolFormer's
 * {@code count_include_pad=False}). No parameters.
 */
final class PoolBlock extends SequenceBlock {

    private final int window;
    private final int left;

    PoolBlock(int window, boolean causal) {
        this.window = window;
        this.left = Seq.leftTaps(window, causal);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long seq = x.getShape().get(1);
        int right = window - 1 - left;
        NDArray padded = Seq.padTime(x, left, right);
        NDArray sum = Seq.steps(padded, 0, seq);
        for (int i = 1; i < window; i++) {
            sum = sum.add(Seq.steps(padded, i, i + seq));
        }
        // Positions of the window inside the sequence: min(t, left) + min(T-1-t, right) + 1.
        NDArray t = x.getManager().arange(0f, seq, 1f, DataType.FLOAT32, x.getDevice());
        NDArray count = t.minimum(left).add(t.neg().add(seq - 1f).minimum(right)).add(1f).reshape(1, seq, 1);
        return new NDList(sum.div(count.toType(x.getDataType(), false)).sub(x));
    }
}
