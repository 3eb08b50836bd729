package dev.strata.core.genome;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.space.ComponentOption;
import dev.strata.core.space.ModelSpace;
import dev.strata.core.space.ParamChoice;
import dev.strata.core.space.RecipeSpace;
import dev.strata.core.space.SearchSpace;
import dev.strata.core.space.Slot;
import io.jenetics.Genotype;
import io.jenetics.IntegerChromosome;
import io.jenetics.IntegerGene;
import io.jenetics.util.IntRange;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.random.RandomGenerator;

/**
 * The encoding of a search space as a Jenetics genotype: one single-gene chromosome per decision,
 * in this order: width, depth; for each layer up to the maximum depth, which component fills each
 * slot and the value of each searched parameter of each candidate component; the final norm and
 * its parameters; then the searched recipe values ({@code recipe.lr}, {@code recipe.weight_decay}).
 * With {@link ModelSpace#uniformLayers()} the layer decisions exist once, shared by every layer.
 *
 * <p>The layout is fixed, so genes of unused layers or unchosen components are carried but not
 * expressed: two genotypes may decode to one candidate, which is why the search deduplicates on
 * the candidate ({@link Candidate#key()}). Whether a gene is expressed depends only on genes
 * before it (the depth, the slot's component choice), which lets {@link #grid()} enumerate each
 * candidate once.
 *
 * <p>Decisions with a single option get no gene, so a space without searched recipe values has
 * exactly the layout it had before recipes could be searched.
 */
public final class Genome {

    /** One decision: its name (for humans and tests) and how many options it has. */
    public record Decision(String name, int options) {}

    /**
     * When a gene is expressed: its layer exists ({@code layer < depth}; -1 for model-level and
     * shared genes) and, for a component parameter, its component is the one chosen in the slot.
     */
    private record Condition(int layer, int choiceGene, int option) {
        static final Condition ALWAYS = new Condition(-1, -1, -1);
    }

    private final ModelSpace space;
    private final RecipeSpace recipes;
    private final List<Decision> decisions = new ArrayList<>();
    private final List<Condition> conditions = new ArrayList<>();
    private final int dModelGene;
    private final int depthGene;
    /** Per layer, per slot: the gene of the component choice and, per option, the genes of its params. */
    private final List<Map<Slot, SlotGenes>> layerGenes = new ArrayList<>();
    private final SlotGenes finalNormGenes;
    private final int lrGene;
    private final int weightDecayGene;

    private record SlotGenes(int choiceGene, List<int[]> paramGenes) {}

    /** The genome of a model space alone: it decodes architectures, not candidates. */
    public Genome(ModelSpace space) {
        this(space, null);
    }

    /**
     * @param recipes the recipe values to search over, or null for architectures only (then
     *     {@link #candidate(Genotype)} is not available)
     */
    public Genome(ModelSpace space, RecipeSpace recipes) {
        this.space = space;
        this.recipes = recipes;
        dModelGene = add("d_model", space.dModel().size(), Condition.ALWAYS);
        depthGene = add("depth", space.depth().size(), Condition.ALWAYS);
        if (space.uniformLayers()) {
            Map<Slot, SlotGenes> shared = layerSlots("layers", -1);
            for (int layer = 0; layer < space.maxDepth(); layer++) layerGenes.add(shared);
        } else {
            for (int layer = 0; layer < space.maxDepth(); layer++) layerGenes.add(layerSlots("layer" + layer, layer));
        }
        finalNormGenes = slotGenes(Slot.FINAL_NORM.key(), space.options(Slot.FINAL_NORM), -1);
        lrGene = recipes == null ? -1 : add("recipe.lr", recipes.learningRates().size(), Condition.ALWAYS);
        weightDecayGene = recipes == null ? -1 : add("recipe.weight_decay", recipes.weightDecays().size(), Condition.ALWAYS);
    }

    /** The genome of a whole search space: architecture and recipe decisions. */
    public static Genome of(SearchSpace space) {
        return new Genome(space.model(), space.recipes());
    }

    private Map<Slot, SlotGenes> layerSlots(String prefix, int layer) {
        Map<Slot, SlotGenes> slots = new EnumMap<>(Slot.class);
        for (Slot slot : Slot.values()) {
            if (slot.perLayer()) slots.put(slot, slotGenes(prefix + "." + slot.key(), space.options(slot), layer));
        }
        return slots;
    }

    private SlotGenes slotGenes(String prefix, List<ComponentOption> options, int layer) {
        int choice = add(prefix, options.size(), new Condition(layer, -1, -1));
        List<int[]> params = new ArrayList<>();
        for (int o = 0; o < options.size(); o++) {
            ComponentOption option = options.get(o);
            int[] genes = new int[option.params().size()];
            for (int p = 0; p < genes.length; p++) {
                ParamChoice pc = option.params().get(p);
                genes[p] = add(prefix + "." + option.id() + "." + pc.name(), pc.values().size(), new Condition(layer, choice, o));
            }
            params.add(genes);
        }
        return new SlotGenes(choice, params);
    }

    /** Registers a decision; returns its chromosome index, or -1 when it has one option. */
    private int add(String name, int options, Condition condition) {
        if (options <= 1) return -1;
        decisions.add(new Decision(name, options));
        conditions.add(condition);
        return decisions.size() - 1;
    }

    /** The decisions that have genes, in chromosome order. */
    public List<Decision> decisions() {
        return List.copyOf(decisions);
    }

    /** A random genotype drawn from {@code random}. */
    public Genotype<IntegerGene> random(RandomGenerator random) {
        int[] values = new int[decisions.size()];
        for (int i = 0; i < values.length; i++) values[i] = random.nextInt(decisions.get(i).options());
        return genotype(values);
    }

    /** The genotype with these decision values (one per decision, in order). */
    public Genotype<IntegerGene> genotype(int[] values) {
        if (values.length != decisions.size()) throw new IllegalArgumentException("expected " + decisions.size() + " values");
        if (values.length == 0) {
            // Jenetics needs a chromosome: a space with no choices carries one constant gene.
            return Genotype.of(IntegerChromosome.of(IntegerGene.of(0, new IntRange(0, 1))));
        }
        List<IntegerChromosome> chromosomes = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            chromosomes.add(IntegerChromosome.of(IntegerGene.of(values[i], new IntRange(0, decisions.get(i).options()))));
        }
        return Genotype.of(chromosomes);
    }

    /** The decision values of a genotype. */
    public int[] values(Genotype<IntegerGene> g) {
        int[] v = new int[decisions.size()];
        for (int i = 0; i < v.length; i++) v[i] = g.get(i).gene().allele();
        return v;
    }

    /** The architecture a genotype expresses. */
    public Architecture decode(Genotype<IntegerGene> g) {
        return decode(values(g));
    }

    /** The candidate (architecture and recipe) a genotype expresses. */
    public Candidate candidate(Genotype<IntegerGene> g) {
        if (recipes == null) throw new IllegalStateException("this genome was built without a recipe: use Genome.of(space)");
        int[] v = values(g);
        return new Candidate(decode(v), recipes.recipe(pick(v, lrGene), pick(v, weightDecayGene)));
    }

    private Architecture decode(int[] v) {
        int dModel = space.dModel().get(pick(v, dModelGene));
        int depth = depth(v);
        List<LayerSpec> layers = new ArrayList<>(depth);
        for (int layer = 0; layer < depth; layer++) {
            Map<Slot, SlotGenes> genes = layerGenes.get(layer);
            layers.add(new LayerSpec(
                    ref(v, Slot.TOKEN_MIXER, genes.get(Slot.TOKEN_MIXER)),
                    ref(v, Slot.CHANNEL_MIXER, genes.get(Slot.CHANNEL_MIXER)),
                    ref(v, Slot.NORM, genes.get(Slot.NORM)),
                    ref(v, Slot.RESIDUAL, genes.get(Slot.RESIDUAL))));
        }
        return new Architecture(dModel, layers, ref(v, Slot.FINAL_NORM, finalNormGenes));
    }

    private int depth(int[] v) {
        return space.depth().get(pick(v, depthGene));
    }

    private ComponentRef ref(int[] v, Slot slot, SlotGenes genes) {
        int choice = pick(v, genes.choiceGene());
        ComponentOption option = space.options(slot).get(choice);
        int[] paramGenes = genes.paramGenes().get(choice);
        Map<String, Object> params = new LinkedHashMap<>();
        for (int p = 0; p < paramGenes.length; p++) {
            ParamChoice pc = option.params().get(p);
            params.put(pc.name(), pc.values().get(pick(v, paramGenes[p])));
        }
        return ComponentRef.of(option.id(), params);
    }

    private static int pick(int[] values, int gene) {
        return gene < 0 ? 0 : values[gene];
    }

    /**
     * Whether decision {@code d} affects what {@code values} decode to: false for genes of layers
     * beyond the chosen depth and for the parameters of components not chosen in their slot.
     */
    public boolean expressed(int[] values, int d) {
        Condition c = conditions.get(d);
        if (c.layer() >= 0 && depth(values) <= c.layer()) return false;
        return c.option() < 0 || pick(values, c.choiceGene()) == c.option();
    }

    // ---- size and enumeration -------------------------------------------------------------------

    /**
     * The number of distinct candidates the space holds (architectures times searched recipe
     * values; architectures alone for a genome without a recipe), exactly: width choices x final
     * norm choices x recipe choices x, summed over the depths {@code d}, (choices of one layer)^d,
     * or (choices of one layer) x (number of depths) with uniform layers. The choices of a slot
     * are the sum over its components of the product of their parameter value counts.
     */
    public BigInteger size() {
        BigInteger perLayer = BigInteger.ONE;
        for (Slot slot : Slot.values()) {
            if (slot.perLayer()) perLayer = perLayer.multiply(slotSize(space.options(slot)));
        }
        BigInteger layers = BigInteger.ZERO;
        for (int d : space.depth()) layers = layers.add(space.uniformLayers() ? perLayer : perLayer.pow(d));
        BigInteger total = BigInteger.valueOf(space.dModel().size()).multiply(slotSize(space.options(Slot.FINAL_NORM))).multiply(layers);
        if (recipes != null) {
            total = total.multiply(BigInteger.valueOf(recipes.learningRates().size()))
                    .multiply(BigInteger.valueOf(recipes.weightDecays().size()));
        }
        return total;
    }

    private static BigInteger slotSize(List<ComponentOption> options) {
        BigInteger sum = BigInteger.ZERO;
        for (ComponentOption o : options) {
            BigInteger product = BigInteger.ONE;
            for (ParamChoice p : o.params()) product = product.multiply(BigInteger.valueOf(p.values().size()));
            sum = sum.add(product);
        }
        return sum;
    }

    /**
     * Every distinct candidate once, in the grid order: the decision values counted in mixed
     * radix, the first decision ({@code d_model}) most significant and the last (the recipe
     * values, else the final norm) turning fastest, skipping every genotype that decodes to a
     * candidate already produced. Those are exactly the genotypes with a non-zero unexpressed
     * gene: the first genotype of each candidate in this order has its unexpressed genes at 0.
     * Each step costs time linear in the number of decisions, however many genotypes it skips.
     * Yields {@link #size()} genotypes.
     */
    public Iterator<Genotype<IntegerGene>> grid() {
        return new Iterator<>() {
            private int[] next = new int[decisions.size()];

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Genotype<IntegerGene> next() {
                if (next == null) throw new NoSuchElementException();
                int[] current = next;
                next = successor(current);
                return genotype(current);
            }
        };
    }

    /** The next genotype in grid order whose unexpressed genes are 0, or null after the last. */
    private int[] successor(int[] v) {
        int[] s = v.clone();
        for (int i = s.length - 1; i >= 0; i--) {
            // Whether gene i is expressed depends on genes before it only, which do not change here.
            if (!expressed(s, i) || s[i] + 1 >= decisions.get(i).options()) continue;
            s[i]++;
            for (int j = i + 1; j < s.length; j++) s[j] = 0;
            return s;
        }
        return null;
    }
}
