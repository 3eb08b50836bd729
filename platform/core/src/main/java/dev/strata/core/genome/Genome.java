package dev.strata.core.genome;

import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.space.ComponentOption;
import dev.strata.core.space.ModelSpace;
import dev.strata.core.space.ParamChoice;
import dev.strata.core.space.Slot;
import io.jenetics.Genotype;
import io.jenetics.IntegerChromosome;
import io.jenetics.IntegerGene;
import io.jenetics.util.IntRange;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The encoding of a model space as a Jenetics genotype: one single-gene chromosome per decision
 * (width, depth, and for each layer up to the maximum depth: which component fills each slot and
 * the value of each searched parameter of each candidate component). The layout is fixed, so
 * genes of unused layers or unchosen components are carried but not expressed: two genotypes may
 * decode to one architecture, which is why the search deduplicates on the architecture.
 *
 * <p>Decisions with a single option get no gene.
 */
public final class Genome {

    /** One decision: its name (for humans and tests) and how many options it has. */
    public record Decision(String name, int options) {}

    private final ModelSpace space;
    private final List<Decision> decisions = new ArrayList<>();
    private final int dModelGene;
    private final int depthGene;
    /** Per layer, per slot: the gene of the component choice and, per option, the genes of its params. */
    private final List<Map<Slot, SlotGenes>> layerGenes = new ArrayList<>();
    private final SlotGenes finalNormGenes;

    private record SlotGenes(int choiceGene, List<int[]> paramGenes) {}

    public Genome(ModelSpace space) {
        this.space = space;
        dModelGene = add("d_model", space.dModel().size());
        depthGene = add("depth", space.depth().size());
        for (int layer = 0; layer < space.maxDepth(); layer++) {
            Map<Slot, SlotGenes> slots = new EnumMap<>(Slot.class);
            for (Slot slot : Slot.values()) {
                if (slot.perLayer()) slots.put(slot, slotGenes("layer" + layer + "." + slot.key(), space.options(slot)));
            }
            layerGenes.add(slots);
        }
        finalNormGenes = slotGenes(Slot.FINAL_NORM.key(), space.options(Slot.FINAL_NORM));
    }

    private SlotGenes slotGenes(String prefix, List<ComponentOption> options) {
        int choice = add(prefix, options.size());
        List<int[]> params = new ArrayList<>();
        for (ComponentOption option : options) {
            int[] genes = new int[option.params().size()];
            for (int p = 0; p < genes.length; p++) {
                ParamChoice pc = option.params().get(p);
                genes[p] = add(prefix + "." + option.id() + "." + pc.name(), pc.values().size());
            }
            params.add(genes);
        }
        return new SlotGenes(choice, params);
    }

    /** Registers a decision; returns its chromosome index, or -1 when it has one option. */
    private int add(String name, int options) {
        if (options <= 1) return -1;
        decisions.add(new Decision(name, options));
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
        int[] v = values(g);
        int dModel = space.dModel().get(pick(v, dModelGene));
        int depth = space.depth().get(pick(v, depthGene));
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
}
