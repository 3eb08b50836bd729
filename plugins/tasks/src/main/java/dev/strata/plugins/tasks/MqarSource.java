package dev.strata.plugins.tasks;

import java.util.SplittableRandom;

/**
 * MQAR sequences: {@code k1 v1 k2 v2 ... kN vN} followed by Q queries {@code k v}, the queried keys
 * distinct and in random order. Keys are tokens {@code [0, vocab/2)}, distinct within a sequence;
 * values are tokens {@code [vocab/2, vocab)}, drawn independently (they may repeat). Only the
 * positions holding a query key are scored: their target is that key's value.
 */
final class MqarSource implements SequenceSource {

    private final int pairs;
    private final int vocab;
    private final int queries;
    private final int keys;
    private final int values;

    MqarSource(int pairs, int vocab, int queries) {
        this.pairs = pairs;
        this.vocab = vocab;
        this.queries = queries;
        this.keys = vocab / 2;
        this.values = vocab - keys;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int sequenceLength() {
        return 2 * pairs + 2 * queries;
    }

    @Override
    public float[] weights() {
        float[] w = new float[sequenceLength()];
        for (int q = 0; q < queries; q++) {
            w[2 * pairs + 2 * q] = 1f; // input: query key, target: its value
        }
        return w;
    }

    @Override
    public void fill(SplittableRandom random, int[] out) {
        // Partial Fisher-Yates: the first `pairs` entries become distinct random keys.
        int[] keyPool = identity(keys);
        for (int i = 0; i < pairs; i++) {
            swap(keyPool, i, i + random.nextInt(keys - i));
            out[2 * i] = keyPool[i];
            out[2 * i + 1] = keys + random.nextInt(values);
        }
        int[] order = identity(pairs);
        int base = 2 * pairs;
        for (int q = 0; q < queries; q++) {
            swap(order, q, q + random.nextInt(pairs - q));
            out[base + 2 * q] = out[2 * order[q]];
            out[base + 2 * q + 1] = out[2 * order[q] + 1];
        }
    }

    @Override
    public double logDistinctSequences() {
        // ordered distinct keys * values with repetition * ordered distinct queries
        double log = pairs * Math.log(values);
        for (int i = 0; i < pairs; i++) {
            log += Math.log(keys - i);
        }
        for (int q = 0; q < queries; q++) {
            log += Math.log(pairs - q);
        }
        return log;
    }

    /** Without the context, every value is equally likely: ln(number of values). */
    @Override
    public double baselineLoss() {
        return Math.log(values);
    }

    @Override
    public String baselineName() {
        return "uniform over " + values + " values";
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
