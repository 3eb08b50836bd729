package dev.strata.core.model;

import ai.djl.nn.Block;
import ai.djl.training.initializer.NormalInitializer;
import dev.strata.api.BuildContext;
import dev.strata.api.Component;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.api.NormComponent;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceComponent;
import dev.strata.api.Sublayers;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.ComponentRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns an {@link Architecture} into a {@link CandidateModel} with the components of a
 * {@link ComponentRegistry}: embedding, then for each layer the block its residual component wraps
 * around freshly built sublayers, then final norm and LM head.
 *
 * <p>Everything is checked before anything is built, with one-line reasons: unknown component ids,
 * a component in a slot of the wrong kind, a component that is not causal-safe on a causal task,
 * and parameter values (merged over each dimension's default and validated by it).
 */
public final class ModelComposer {

    private final ComponentRegistry registry;

    public ModelComposer(ComponentRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Composes with a registry in one call. */
    public static CandidateModel compose(Architecture architecture, int vocabSize, int sequenceLength, boolean causal,
            ComponentRegistry registry) {
        return new ModelComposer(registry).compose(architecture, vocabSize, sequenceLength, causal);
    }

    /** Builds an uninitialised model; see {@link #compose(Architecture, int, int, boolean, String)}. */
    public CandidateModel compose(Architecture architecture, int vocabSize, int sequenceLength, boolean causal) {
        return compose(architecture, vocabSize, sequenceLength, causal, (String) null);
    }

    /**
     * Builds an uninitialised model.
     *
     * @param taskName named in the causal-safety error ("... cannot be used on causal task 'x'"); may be null
     * @throws IllegalArgumentException with a one-line reason if the architecture cannot be built
     */
    public CandidateModel compose(Architecture architecture, int vocabSize, int sequenceLength, boolean causal, String taskName) {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        if (sequenceLength <= 0) throw new IllegalArgumentException("sequence length must be positive, got " + sequenceLength);
        Plan plan = plan(architecture, causal, taskName);

        ModelLayerState state = new ModelLayerState();
        int depth = architecture.depth();
        BuildContext base = new BuildContext(architecture.dModel(), sequenceLength, causal, 0, depth, state);
        List<Block> layers = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            BuildContext ctx = base.forLayer(i);
            PlannedLayer p = plan.layers().get(i);
            Block token = build(p.tokenMixer(), ctx, "token mixer", i);
            Block channel = build(p.channelMixer(), ctx, "channel mixer", i);
            Sublayers sublayers = new LayerSublayers(token, channel, p.norm(), ctx, i);
            Block layer = p.residual().component().wrap(ctx, p.residual().params(), sublayers);
            if (layer == null) {
                throw new IllegalArgumentException("residual '" + p.residual().id() + "' returned no block for layer " + i);
            }
            layers.add(layer);
        }
        Block finalNorm = build(plan.finalNorm(), base.forLayer(depth - 1), "final norm", depth - 1);
        CandidateModel model = new CandidateModel(vocabSize, sequenceLength, architecture.dModel(), layers, finalNorm, state);
        // A parameter a component left without an initializer (Parameter.Type.OTHER) gets N(0, 0.02)
        // instead of failing at initialisation; typed parameters keep DJL's defaults.
        model.setInitializer(new NormalInitializer(CandidateModel.EMBEDDING_STD), p -> p.getInitializer() == null);
        return model;
    }

    /**
     * Checks the architecture against the registry without building anything.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public void validate(Architecture architecture, boolean causal, String taskName) {
        plan(architecture, causal, taskName);
    }

    /** Component id -> provenance ({@code plugin@version/componentVersion}) of every component the architecture uses. */
    public Map<String, String> componentVersions(Architecture architecture) {
        Map<String, String> out = new TreeMap<>();
        for (LayerSpec l : architecture.layers()) {
            for (ComponentRef ref : List.of(l.tokenMixer(), l.channelMixer(), l.norm(), l.residual())) {
                registry.find(ref.id()).ifPresent(info -> out.put(info.id(), info.provenance()));
            }
        }
        registry.find(architecture.finalNorm().id()).ifPresent(info -> out.put(info.id(), info.provenance()));
        return out;
    }

    /**
     * The parameters a component is built with: {@code given} merged over each dimension's default,
     * each value validated by its dimension. A name the component does not declare is refused.
     *
     * @throws IllegalArgumentException naming the component and the parameter
     */
    public static Params resolveParams(Component component, Params given) {
        Map<String, Dimension> dims = new LinkedHashMap<>();
        for (Dimension d : component.dimensions()) {
            dims.put(d.name(), d);
        }
        Map<String, Object> values = new TreeMap<>();
        for (String name : given.asMap().keySet()) {
            if (!dims.containsKey(name)) {
                throw new IllegalArgumentException("component '" + component.id() + "' has no parameter '" + name + "'"
                        + (dims.isEmpty() ? " (it has none)" : " (it has " + dims.keySet() + ")"));
            }
        }
        for (Dimension d : dims.values()) {
            Object raw = given.has(d.name()) ? given.asMap().get(d.name()) : d.defaultValue();
            try {
                values.put(d.name(), d.validate(raw));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("component '" + component.id() + "': " + e.getMessage(), e);
            }
        }
        return Params.of(values);
    }

    // ---------------------------------------------------------------------------------------------

    private record Resolved<C extends Component>(C component, Params params) {
        String id() {
            return component.id();
        }
    }

    private record PlannedLayer(Resolved<SequenceComponent> tokenMixer, Resolved<SequenceComponent> channelMixer,
            Resolved<SequenceComponent> norm, Resolved<ResidualComponent> residual) {}

    private record Plan(List<PlannedLayer> layers, Resolved<SequenceComponent> finalNorm) {}

    private Plan plan(Architecture architecture, boolean causal, String taskName) {
        String task = taskName == null ? "" : " '" + taskName + "'";
        List<PlannedLayer> layers = new ArrayList<>();
        for (int i = 0; i < architecture.depth(); i++) {
            LayerSpec l = architecture.layers().get(i);
            String where = " (layer " + i + ")";
            layers.add(new PlannedLayer(
                    sequence(l.tokenMixer(), Slot.TOKEN_MIXER, where, causal, task),
                    sequence(l.channelMixer(), Slot.CHANNEL_MIXER, where, causal, task),
                    sequence(l.norm(), Slot.NORM, where, causal, task),
                    residual(l.residual(), where, causal, task)));
        }
        Resolved<SequenceComponent> finalNorm = sequence(architecture.finalNorm(), Slot.FINAL_NORM, "", causal, task);
        return new Plan(layers, finalNorm);
    }

    private enum Slot {
        TOKEN_MIXER("token mixer"), CHANNEL_MIXER("channel mixer"), NORM("norm"), FINAL_NORM("final norm"), RESIDUAL("residual");

        final String label;

        Slot(String label) {
            this.label = label;
        }

        boolean accepts(Component c) {
            ComponentKind k = c.kind();
            return switch (this) {
                case TOKEN_MIXER -> k.mixesTokens() && c instanceof SequenceComponent;
                case CHANNEL_MIXER -> k == ComponentKind.CHANNEL_MIXER && c instanceof SequenceComponent;
                case NORM, FINAL_NORM -> k == ComponentKind.NORM && c instanceof NormComponent;
                case RESIDUAL -> k == ComponentKind.RESIDUAL && c instanceof ResidualComponent;
            };
        }
    }

    private Component lookup(ComponentRef ref, Slot slot, String where, boolean causal, String task) {
        ComponentInfo info = registry.find(ref.id()).orElseThrow(() ->
                new IllegalArgumentException("unknown component '" + ref.id() + "' in the " + slot.label + " slot" + where));
        Component c = info.component();
        if (!slot.accepts(c)) {
            throw new IllegalArgumentException("component '" + ref.id() + "' is a " + c.kind() + " and cannot fill the "
                    + slot.label + " slot" + where);
        }
        if (causal && !c.causalSafe()) {
            throw new IllegalArgumentException(slot.label + " '" + ref.id() + "' is not causal-safe and cannot be used on causal task"
                    + task);
        }
        return c;
    }

    private Resolved<SequenceComponent> sequence(ComponentRef ref, Slot slot, String where, boolean causal, String task) {
        SequenceComponent c = (SequenceComponent) lookup(ref, slot, where, causal, task);
        return new Resolved<>(c, resolveParams(c, ref.params()));
    }

    private Resolved<ResidualComponent> residual(ComponentRef ref, String where, boolean causal, String task) {
        ResidualComponent c = (ResidualComponent) lookup(ref, Slot.RESIDUAL, where, causal, task);
        return new Resolved<>(c, resolveParams(c, ref.params()));
    }

    private static Block build(Resolved<SequenceComponent> r, BuildContext ctx, String slot, int layer) {
        Block b = r.component().build(ctx, r.params());
        if (b == null) {
            throw new IllegalArgumentException(slot + " '" + r.id() + "' returned no block for layer " + layer);
        }
        return b;
    }

    /** The sublayers of one layer; the norm is built anew on each request. */
    private static final class LayerSublayers implements Sublayers {
        private final Block tokenMixer;
        private final Block channelMixer;
        private final Resolved<SequenceComponent> norm;
        private final BuildContext ctx;
        private final int layer;

        LayerSublayers(Block tokenMixer, Block channelMixer, Resolved<SequenceComponent> norm, BuildContext ctx, int layer) {
            this.tokenMixer = tokenMixer;
            this.channelMixer = channelMixer;
            this.norm = norm;
            this.ctx = ctx;
            this.layer = layer;
        }

        @Override
        public Block tokenMixer() {
            return tokenMixer;
        }

        @Override
        public Block channelMixer() {
            return channelMixer;
        }

        @Override
        public Block newNorm() {
            return build(norm, ctx, "norm", layer);
        }
    }
}
