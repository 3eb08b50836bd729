package dev.strata.plugins.tasks;

import java.util.SplittableRandom;

/**
 * Addition sequences {@code a + b = s}: tokens 0-9 are digits, 10 is '+', 11 is '='. Both operands
 * have exactly {@code digits} digits, zero-padded, most significant first. The sum has
 * {@code digits + 1} digits written <em>least significant first</em>, so a causal model produces
 * each digit after the carries it depends on. Example, 3 digits: {@code 123+456=} then {@code 9750}
 * (579 reversed and padded). Only the answer digits are scored.
 */
final class AdditionSource implements SequenceSource {

    static final int PLUS = 10;
    static final int EQUALS = 11;
    static final int VOCAB = 12;

    private final int digits;
    private final long limit; // 10^digits: operands are in [0, limit)

    AdditionSource(int digits) {
        this.digits = digits;
        this.limit = (long) Math.pow(10, digits);
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int sequenceLength() {
        return 3 * digits + 3; // a, '+', b, '=', digits + 1 answer digits
    }

    /** Index of '=': from there on, each position's next token is an answer digit. */
    int equalsPosition() {
        return 2 * digits + 1;
    }

    @Override
    public float[] weights() {
        float[] w = new float[sequenceLength()];
        for (int t = equalsPosition(); t < sequenceLength() - 1; t++) {
            w[t] = 1f;
        }
        return w;
    }

    @Override
    public void fill(SplittableRandom random, int[] out) {
        long a = random.nextLong(limit);
        long b = random.nextLong(limit);
        writeMostSignificantFirst(a, out, 0);
        out[digits] = PLUS;
        writeMostSignificantFirst(b, out, digits + 1);
        out[equalsPosition()] = EQUALS;
        long sum = a + b;
        for (int i = 0; i <= digits; i++) {
            out[equalsPosition() + 1 + i] = (int) (sum % 10);
            sum /= 10;
        }
    }

    private void writeMostSignificantFirst(long n, int[] out, int from) {
        for (int i = digits - 1; i >= 0; i--) {
            out[from + i] = (int) (n % 10);
            n /= 10;
        }
    }

    @Override
    public double logDistinctSequences() {
        return 2 * digits * Math.log(10);
    }

    /**
     * Entropy of the answer digits pooled over all answer positions. The low {@code digits} digits
     * of a sum of two uniform operands are uniform; the top digit is the carry, 1 with probability
     * {@code (N - 1) / 2N} for {@code N = 10^digits}. A predictor that ignores the context can do
     * no better than this pooled unigram.
     */
    @Override
    public double baselineLoss() {
        double carry = (limit - 1) / (2.0 * limit);
        double[] p = new double[10];
        for (int k = 0; k < 10; k++) {
            p[k] = digits / 10.0;
        }
        p[0] += 1 - carry;
        p[1] += carry;
        double entropy = 0;
        for (double pk : p) {
            double q = pk / (digits + 1);
            entropy -= q * Math.log(q);
        }
        return entropy;
    }

    @Override
    public String baselineName() {
        return "unigram over answer digits";
    }
}
