package dev.strata.core.strategy;

/**
 * A cheap surrogate: fitness as a sum of per-(gene, value) effects, each the shrunk mean of the
 * evaluated architectures with that value at that gene, relative to the overall mean. O(genes)
 * to update and to predict, so ranking children costs nothing next to an evaluation.
 */
final class AdditivePredictor {

    private static final double PRIOR = 2.0;

    private final double[][] sum;
    private final int[][] count;
    private double total;
    private int n;

    AdditivePredictor(Domain space) {
        sum = new double[space.genes()][];
        count = new int[space.genes()][];
        for (int i = 0; i < space.genes(); i++) {
            sum[i] = new double[space.options(i)];
            count[i] = new int[space.options(i)];
        }
    }

    void add(int[] g, double fitness) {
        for (int i = 0; i < g.length; i++) {
            sum[i][g[i]] += fitness;
            count[i][g[i]]++;
        }
        total += fitness;
        n++;
    }

    double predict(int[] g) {
        if (n == 0) return 0;
        double mean = total / n;
        double p = 0;
        for (int i = 0; i < g.length; i++) {
            p += (sum[i][g[i]] + PRIOR * mean) / (count[i][g[i]] + PRIOR) - mean;
        }
        return p;
    }
}
