package dev.strata.plugins.attention;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Naive building blocks for reference implementations in tests: one head at a time, masks written
 * out position by position in Java, parameters read from the block by name.
 */
final class Reference {

    private Reference() {}

    /** The block's parameter whose name ends with {@code suffix} (DJL prefixes child names with a number). */
    static NDArray param(Block block, String suffix) {
        NDArray found = null;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getKey().endsWith(suffix)) {
                assertThat(found).as("two parameters end with %s", suffix).isNull();
                found = p.getValue().getArray();
            }
        }
        assertThat(found).as("parameter *%s of %s", suffix, block.getParameters().keys()).isNotNull();
        return found;
    }

    /** x W^T + b with the child linear's parameters. */
    static NDArray linear(NDArray x, Block block, String child) {
        return x.matMul(param(block, child + "_weight").transpose()).add(param(block, child + "_bias"));
    }

    /** Channels [from, to) of (B, T, C). */
    static NDArray channels(NDArray x, long from, long to) {
        return x.get(":, :, " + from + ":" + to);
    }

    /** (T, S) booleans, true where query i may read key j. */
    static NDArray allowed(NDManager manager, int rows, int cols, BiPredicate<Integer, Integer> rule) {
        boolean[] keep = new boolean[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                keep[i * cols + j] = rule.test(i, j);
            }
        }
        return manager.create(keep, new Shape(rows, cols));
    }

    /** The rule of plain attention: causal or everything. */
    static BiPredicate<Integer, Integer> causalRule(boolean causal) {
        return (i, j) -> !causal || j <= i;
    }

    /** softmax over keys of (B, T, S) scores, -inf where not allowed. */
    static NDArray maskedSoftmax(NDArray scores, NDArray allowed) {
        NDArray minusInf = scores.getManager().full(scores.getShape(), Float.NEGATIVE_INFINITY);
        return NDArrays.where(allowed.broadcast(scores.getShape()), scores, minusInf).softmax(-1);
    }

    /** q k^T for (B, T, Dh) and (B, S, Dh). */
    static NDArray scores(NDArray q, NDArray k) {
        return q.batchMatMul(k.transpose(0, 2, 1));
    }

    /** Concatenates per-head (B, T, Dh) outputs and applies the block's output linear. */
    static NDArray output(List<NDArray> heads, Block block) {
        return linear(NDArrays.concat(new NDList(heads), -1), block, "out");
    }

    /** Moves every parameter by a random amount so that identity / constant initialisations are not special. */
    static void jiggle(Block block, NDManager manager) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            a.addi(manager.randomNormal(a.getShape()).mul(0.2f));
        }
    }

    /** max |actual - expected| <= 1e-4 * max(1, max |expected|). */
    static void assertClose(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float scale = Math.max(1f, expected.abs().max().getFloat());
        assertThat(actual.sub(expected).abs().max().getFloat()).isLessThanOrEqualTo(1e-4f * scale);
    }
}
