package dev.strata.core.conformance;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.strata.api.BuildContext;
import dev.strata.api.Component;
import dev.strata.api.Params;
import dev.strata.api.ResidualComponent;
import dev.strata.api.SequenceComponent;
import dev.strata.core.model.ModelLayerState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** One component with one set of parameters, which the checks build into fresh stacks. */
final class Subject {

    private final Component component;
    private final Params params;
    private final ConformanceKit.Settings settings;

    Subject(Component component, Params params, ConformanceKit.Settings settings) {
        this.component = component;
        this.params = params;
        this.settings = settings;
    }

    Component component() {
        return component;
    }

    Shape inputShape() {
        return new Shape(settings.batch(), settings.sequenceLength(), settings.dModel());
    }

    /** A built, initialised stack and what the kit needs to know about it. */
    record Built(ComponentStack stack, long declared, List<Block> sublayers) {

        /** Distinct trainable scalars in the whole stack. */
        long measuredTotal() {
            return count(stack.getParameters().values());
        }

        /** Scalars that belong to the kit's sublayers (residual components only). */
        long measuredSublayers() {
            List<Parameter> all = new ArrayList<>();
            for (Block b : sublayers) all.addAll(b.getParameters().values());
            return count(all);
        }

        private static long count(Collection<Parameter> parameters) {
            Map<Parameter, Boolean> seen = new IdentityHashMap<>();
            long n = 0;
            for (Parameter p : parameters) {
                if (seen.put(p, Boolean.TRUE) == null) n += p.getArray().getShape().size();
            }
            return n;
        }

        NDArray forward(NDManager manager, NDArray x, boolean training) {
            return stack.forward(new ParameterStore(manager, false), new NDList(x), training).singletonOrThrow();
        }

        List<NDArray> auxiliaryLosses() {
            return stack.state().auxiliaryLosses();
        }
    }

    /**
     * Builds {@code settings.depth()} layers of the component with the random seed set first, and
     * initialises them. Declared counts are summed over the layers; -1 if any layer does not declare.
     */
    Built build(NDManager manager, boolean causal) {
        return build(manager, causal, settings.depth());
    }

    /** As {@link #build(NDManager, boolean)} with another number of layers. */
    Built build(NDManager manager, boolean causal, int depth) {
        Engine.getInstance().setRandomSeed((int) settings.seed());
        ModelLayerState state = new ModelLayerState();
        BuildContext base = new BuildContext(settings.dModel(), settings.sequenceLength(), causal, 0, depth, state);
        List<Block> layers = new ArrayList<>();
        List<Block> sublayers = new ArrayList<>();
        long declared = 0;
        for (int i = 0; i < depth; i++) {
            BuildContext ctx = base.forLayer(i);
            Block layer;
            long count;
            try {
                if (component instanceof ResidualComponent residual) {
                    KitSublayers kit = new KitSublayers(settings.dModel());
                    layer = residual.wrap(ctx, params, kit);
                    sublayers.addAll(kit.handedOut());
                    count = residual.parameterCount(ctx, params);
                } else if (component instanceof SequenceComponent sequence) {
                    layer = sequence.build(ctx, params);
                    count = sequence.parameterCount(ctx, params);
                } else {
                    throw new IllegalStateException(component.id() + " is not a sequence or residual component");
                }
            } catch (IllegalArgumentException e) {
                throw new BuildRefused(e);
            }
            if (layer == null) throw new IllegalStateException(component.id() + " returned no block for layer " + i);
            layers.add(layer);
            declared = declared < 0 || count < 0 ? -1 : declared + count;
        }
        ComponentStack stack = new ComponentStack(layers, state);
        // As in the platform's model: a parameter left without an initializer gets N(0, 0.02).
        stack.setInitializer(new NormalInitializer(0.02f), p -> p.getInitializer() == null);
        stack.initialize(manager, DataType.FLOAT32, inputShape());
        return new Built(stack, declared, sublayers);
    }

    /** The component refused to build with these parameters (its documented one-line reason). */
    static final class BuildRefused extends RuntimeException {
        BuildRefused(IllegalArgumentException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The kit's input: standard normal values drawn from the kit's seed. */
    NDArray input(NDManager manager) {
        Engine.getInstance().setRandomSeed((int) settings.seed() + 1);
        return manager.randomNormal(inputShape());
    }
}
