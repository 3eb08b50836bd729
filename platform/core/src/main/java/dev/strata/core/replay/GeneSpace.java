package dev.strata.core.replay;

import dev.strata.core.space.TabularSpace;
import dev.strata.core.strategy.Domain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Genes as small integers: {@code positions} genes, gene {@code i} one of {@code values} codes
 * {@code 0..values-1}, or, after the first {@code minCount}, also the code {@link #absent()}.
 * A genotype is always kept canonical: the present genes first, in order, then the absent ones, so
 * one architecture has one genotype. Architecture key: the present genes' values joined by '-'.
 */
public final class GeneSpace implements Domain {

    private final int minCount;
    private final int positions;
    private final List<String> values;

    public GeneSpace(int minCount, int maxCount, List<String> values) {
        if (minCount < 1 || maxCount < minCount || values.size() < 2) throw new IllegalArgumentException("bad gene space");
        this.minCount = minCount;
        this.positions = maxCount;
        this.values = List.copyOf(values);
    }

    public static GeneSpace of(TabularSpace.Genes genes) {
        return new GeneSpace(genes.minCount(), genes.maxCount(), genes.values());
    }

    public int positions() {
        return positions;
    }

    @Override
    public int genes() {
        return positions;
    }

    /** The code of an absent gene. */
    public int absent() {
        return values.size();
    }

    /** Codes gene {@code i} can take. */
    @Override
    public int options(int i) {
        return i < minCount ? values.size() : values.size() + 1;
    }

    /** Present genes first, absent ones last. */
    @Override
    public int[] canonical(int[] g) {
        int[] out = new int[positions];
        int n = 0;
        for (int v : g) if (v != absent()) out[n++] = v;
        Arrays.fill(out, n, positions, absent());
        return out;
    }

    /** A number unique to the canonical genotype (mixed radix). */
    public long code(int[] canonical) {
        long c = 0;
        for (int i = 0; i < positions; i++) c = c * (values.size() + 1) + canonical[i];
        return c;
    }

    @Override
    public String key(int[] g) {
        StringBuilder b = new StringBuilder();
        for (int v : g) {
            if (v == absent()) continue;
            if (!b.isEmpty()) b.append('-');
            b.append(values.get(v));
        }
        return b.toString();
    }

    /** The canonical genotype of an architecture key; throws on a key outside the space. */
    public int[] parse(String key) {
        String[] parts = key.split("-", -1);
        if (parts.length < minCount || parts.length > positions) throw new IllegalArgumentException("'" + key + "' has " + parts.length + " genes");
        int[] g = new int[positions];
        Arrays.fill(g, absent());
        for (int i = 0; i < parts.length; i++) {
            int v = values.indexOf(parts[i]);
            if (v < 0) throw new IllegalArgumentException("'" + key + "': no gene value '" + parts[i] + "'");
            g[i] = v;
        }
        return g;
    }

    /** A uniformly random architecture (every length and every architecture of it equally likely overall). */
    @Override
    public int[] random(RandomGenerator random) {
        int k = values.size();
        double total = 0;
        for (int n = minCount; n <= positions; n++) total += Math.pow(k, n);
        double r = random.nextDouble() * total;
        int length = minCount;
        for (int n = minCount; n <= positions; n++) {
            length = n;
            r -= Math.pow(k, n);
            if (r < 0) break;
        }
        int[] g = new int[positions];
        for (int i = 0; i < positions; i++) g[i] = i < length ? random.nextInt(k) : absent();
        return g;
    }

    /** A canonical child that differs from {@code parent} (canonical) by changing exactly one gene. */
    @Override
    public int[] mutate(int[] parent, RandomGenerator random) {
        while (true) {
            int i = random.nextInt(positions);
            int options = options(i);
            int[] child = parent.clone();
            child[i] = (child[i] + 1 + random.nextInt(options - 1)) % options;
            child = canonical(child);
            if (!Arrays.equals(child, parent)) return child;
        }
    }

    /** Every distinct canonical architecture one gene change away from {@code g}. */
    @Override
    public List<int[]> neighbours(int[] g) {
        Set<String> keys = new LinkedHashSet<>();
        List<int[]> out = new ArrayList<>();
        keys.add(key(g));
        for (int i = 0; i < positions; i++) {
            for (int v = 0; v < options(i); v++) {
                if (v == g[i]) continue;
                int[] child = g.clone();
                child[i] = v;
                child = canonical(child);
                if (keys.add(key(child))) out.add(child);
            }
        }
        return out;
    }
}
