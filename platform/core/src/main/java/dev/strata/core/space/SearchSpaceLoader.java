package dev.strata.core.space;

import dev.strata.api.Component;
import dev.strata.api.Dimension;
import dev.strata.api.Params;
import dev.strata.api.Task;
import dev.strata.api.TaskProvider;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.ComponentRegistry;
import dev.strata.core.training.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a search-space YAML file and checks it against the discovered components: unknown keys,
 * unknown component ids, components in the wrong slot, unknown parameters, out-of-range values and
 * non-causal components on a causal task all fail here, with file, line and key, before a single
 * trial is created. See docs/search-spaces.md for the format.
 */
public final class SearchSpaceLoader {

    public static final String DEFAULT_STRATEGY = StrategyConfig.DEFAULT;
    private static final List<String> TOP_KEYS = List.of("name", "description", "seed", "task", "model", "recipe", "strategy", "budget",
            "objectives", "constraints", "fidelity");
    private static final List<String> TASK_KEYS = List.of("id", "params", "seed");
    private static final List<String> MODEL_KEYS = List.of("d_model", "depth", "uniform_layers", "token_mixer", "channel_mixer", "norm", "residual", "final_norm");
    private static final List<String> RECIPE_KEYS = List.of("steps", "batch", "lr", "weight_decay", "warmup", "min_lr_ratio", "eval_every", "grad_clip", "time_limit", "seed");
    private static final List<String> STRATEGY_KEYS = List.of("name", "population", "tournament", "candidates");
    private static final List<String> FIDELITY_KEYS = List.of("rungs", "eta", "early_stop");
    private static final java.util.regex.Pattern CONSTRAINT = java.util.regex.Pattern.compile("\\s*([a-z_]+)\\s*(<=|>=|<|>)\\s*(\\S+)\\s*");
    private static final List<String> STRATEGIES = StrategyConfig.ALL;

    private final ComponentRegistry registry;

    public SearchSpaceLoader(ComponentRegistry registry) {
        this.registry = registry;
    }

    /** Loads and validates {@code file}. */
    public SearchSpace load(Path file) {
        return load(file, YamlCursor.read(file));
    }

    /**
     * Loads and validates a space's text as if read from {@code file} (relative paths resolve
     * against its folder): how {@code search --resume} rebuilds a search from the text it stored.
     */
    public SearchSpace load(Path file, String text) {
        YamlCursor root = YamlCursor.parse(text, file);
        Map<String, YamlCursor> top = root.entriesOnly(TOP_KEYS);

        String name = top.containsKey("name") ? top.get("name").asText() : stripExtension(file.getFileName().toString());
        long seed = top.containsKey("seed") ? top.get("seed").asLong() : 0L;

        YamlCursor taskNode = require(top, "task", root);
        LoadedTask loaded = readTask(taskNode, file);
        TaskChoice task = loaded.choice();
        boolean causal = loaded.causal();

        ModelSpace model = readModel(require(top, "model", root), causal);
        RecipeSpace recipe = readRecipe(top.get("recipe"));
        long trainingSeed = top.containsKey("recipe") ? optionalLong(top.get("recipe"), "seed", 0L) : 0L;
        StrategyConfig strategy = readStrategy(top.get("strategy"));
        int budget = readBudget(top.get("budget"));
        if (strategy.hasPopulation() && strategy.population() > budget) {
            throw top.get("strategy").error("population " + strategy.population() + " is larger than the trial budget " + budget);
        }
        Objectives objectives = readObjectives(top.get("objectives"), top.get("constraints"));
        if (objectives.multi() && !strategy.name().equals(StrategyConfig.NSGA2) && !strategy.isGrid() && !strategy.name().equals(StrategyConfig.RANDOM)) {
            throw top.get("objectives").error("several objectives need strategy nsga2 (or grid, random), not " + strategy.name());
        }
        Fidelity fidelity = readFidelity(top.get("fidelity"));
        if (fidelity.rungs() > 1 && strategy.isGrid()) throw top.get("fidelity").error("the grid strategy trains every candidate fully: no fidelity rungs");
        if (fidelity.topRung() > 0 && recipe.base().steps() / Math.pow(fidelity.eta(), fidelity.topRung()) < 1) {
            throw top.get("fidelity").error("recipe.steps " + recipe.base().steps() + " is too few for " + fidelity.rungs() + " rungs with eta " + fidelity.eta());
        }
        return new SearchSpace(name, file, text, task, model, recipe, trainingSeed, strategy, budget, seed, objectives, fidelity);
    }

    // ---- task -------------------------------------------------------------------------------

    private LoadedTask readTask(YamlCursor node, Path file) {
        Map<String, YamlCursor> e = node.isScalar() ? Map.of("id", node) : node.entriesOnly(TASK_KEYS);
        YamlCursor idNode = require(e, "id", node);
        TaskProvider provider = component(idNode, TaskProvider.class, "a task");
        Map<String, YamlCursor> given = e.containsKey("params") ? e.get("params").entries() : Map.of();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Dimension d : provider.dimensions()) {
            YamlCursor v = given.get(d.name());
            values.put(d.name(), v == null ? validated(d, d.defaultValue(), idNode) : validated(d, v.scalar(), v));
        }
        rejectUnknownParams(provider, given);
        long dataSeed = e.containsKey("seed") ? e.get("seed").asLong() : 0L;
        // Create the task once, so bad task parameters (a missing file, say) fail at load time.
        Params params = Params.of(values);
        try {
            Task task = provider.create(params, dataSeed, file.toAbsolutePath().getParent());
            return new LoadedTask(new TaskChoice(provider.id(), params, dataSeed, task.baselineLoss(), task.baselineName()), task.causal());
        } catch (RuntimeException ex) {
            throw node.error(ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
    }

    private record LoadedTask(TaskChoice choice, boolean causal) {}

    // ---- model ------------------------------------------------------------------------------

    private ModelSpace readModel(YamlCursor node, boolean causal) {
        Map<String, YamlCursor> e = node.entriesOnly(MODEL_KEYS);
        List<Integer> widths = positiveInts(require(e, "d_model", node));
        List<Integer> depths = positiveInts(require(e, "depth", node));
        boolean uniform = e.containsKey("uniform_layers") && e.get("uniform_layers").asBoolean();
        Map<Slot, List<ComponentOption>> slots = new EnumMap<>(Slot.class);
        for (Slot slot : Slot.values()) {
            YamlCursor s = e.get(slot.key());
            if (s == null && slot == Slot.FINAL_NORM) {
                slots.put(slot, slots.get(Slot.NORM));
                continue;
            }
            if (s == null) throw node.error("missing key '" + slot.key() + "'");
            slots.put(slot, readOptions(s, slot, causal));
        }
        return new ModelSpace(widths, depths, slots, uniform);
    }

    /** A slot is an id, a list of ids (or one-key maps id: params), or a map id -> params. */
    private List<ComponentOption> readOptions(YamlCursor node, Slot slot, boolean causal) {
        List<ComponentOption> out = new ArrayList<>();
        if (node.isMap()) {
            for (Map.Entry<String, YamlCursor> entry : node.entries().entrySet()) {
                out.add(option(entry.getKey(), entry.getValue(), entry.getValue(), slot, causal));
            }
        } else {
            for (YamlCursor item : node.itemsOrSelf()) {
                if (item.isMap()) {
                    Map<String, YamlCursor> one = item.entries();
                    if (one.size() != 1) throw item.error("write one component per list item: id: {params}");
                    Map.Entry<String, YamlCursor> entry = one.entrySet().iterator().next();
                    out.add(option(entry.getKey(), entry.getValue(), item, slot, causal));
                } else {
                    out.add(option(item.asText(), null, item, slot, causal));
                }
            }
        }
        if (out.isEmpty()) throw node.error("choose at least one component");
        if (out.stream().map(ComponentOption::id).distinct().count() != out.size()) {
            throw node.error("a component is listed twice");
        }
        return out;
    }

    private ComponentOption option(String id, YamlCursor paramsNode, YamlCursor at, Slot slot, boolean causal) {
        ComponentInfo info = registry.find(id).orElseThrow(() -> at.error("unknown component '" + id + "'" + suggestion(id)));
        Component c = info.component();
        if (!slot.accepts(c.kind())) {
            throw at.error("'" + id + "' is a " + c.kind().name().toLowerCase() + " component and cannot fill " + slot.key());
        }
        if (causal && !c.causalSafe()) {
            throw at.error("'" + id + "' is not causal-safe (it reads future positions) and this task is causal");
        }
        Map<String, YamlCursor> given = paramsNode == null || (paramsNode.isScalar() && paramsNode.scalar() == null)
                ? Map.of() : paramsNode.entries();
        rejectUnknownParams(c, given);
        List<ParamChoice> params = new ArrayList<>();
        for (Dimension d : c.dimensions()) {
            YamlCursor v = given.get(d.name());
            params.add(new ParamChoice(d.name(), v == null ? List.of(validated(d, d.defaultValue(), at)) : values(d, v)));
        }
        return new ComponentOption(id, params);
    }

    /** A scalar fixes the value; a list searches it; the word 'search' takes the component's suggested values. */
    private List<Object> values(Dimension d, YamlCursor v) {
        if (v.isScalar() && "search".equals(v.scalar())) {
            if (d.searchValues().isEmpty()) throw v.error(d.name() + " has no suggested values to search; list them");
            return d.searchValues().stream().map(x -> validated(d, x, v)).toList();
        }
        List<Object> out = new ArrayList<>();
        for (YamlCursor item : v.itemsOrSelf()) {
            Object value = validated(d, item.scalar(), item);
            if (out.contains(value)) throw item.error("value " + value + " is listed twice");
            out.add(value);
        }
        if (out.isEmpty()) throw v.error("list at least one value");
        return out;
    }

    private static Object validated(Dimension d, Object raw, YamlCursor at) {
        try {
            return d.validate(raw);
        } catch (IllegalArgumentException ex) {
            throw at.error(ex.getMessage());
        }
    }

    private static void rejectUnknownParams(Component c, Map<String, YamlCursor> given) {
        List<String> known = c.dimensions().stream().map(Dimension::name).toList();
        for (Map.Entry<String, YamlCursor> g : given.entrySet()) {
            if (!known.contains(g.getKey())) {
                throw g.getValue().error("'" + c.id() + "' has no parameter '" + g.getKey() + "'"
                        + (known.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", known) + ")"));
            }
        }
    }

    private <T extends Component> T component(YamlCursor idNode, Class<T> type, String what) {
        String id = idNode.asText();
        ComponentInfo info = registry.find(id).orElseThrow(() -> idNode.error("unknown component '" + id + "'" + suggestion(id)));
        if (!type.isInstance(info.component())) throw idNode.error("'" + id + "' is not " + what);
        return type.cast(info.component());
    }

    private String suggestion(String id) {
        String prefix = id.contains(".") ? id.substring(0, id.indexOf('.') + 1) : id;
        String similar = registry.all().stream().map(ComponentInfo::id).filter(k -> k.startsWith(prefix)).collect(Collectors.joining(", "));
        return similar.isEmpty() ? " (run 'strata plugins list' to see the installed components)" : " (known: " + similar + ")";
    }

    // ---- recipe, strategy, budget -----------------------------------------------------------

    /** A recipe; {@code lr} and {@code weight_decay} may be lists, searched over like model choices. */
    private static RecipeSpace readRecipe(YamlCursor node) {
        Map<String, YamlCursor> e = node == null ? Map.of() : node.entriesOnly(RECIPE_KEYS);
        int steps = intOr(e, "steps", 300);
        List<Double> lrs = e.containsKey("lr") ? doubles(e.get("lr"), false) : List.of(3e-3);
        List<Double> wds = e.containsKey("weight_decay") ? doubles(e.get("weight_decay"), true) : List.of(0.01);
        try {
            Recipe base = new Recipe(
                    steps,
                    intOr(e, "batch", 32),
                    lrs.getFirst(),
                    wds.getFirst(),
                    intOr(e, "warmup", Math.max(1, steps / 10)),
                    doubleOr(e, "min_lr_ratio", 0.1),
                    intOr(e, "eval_every", Math.max(1, steps / 4)),
                    doubleOr(e, "grad_clip", 1.0),
                    intOr(e, "time_limit", 600));
            return new RecipeSpace(base, lrs, wds);
        } catch (IllegalArgumentException ex) {
            throw node == null ? new SpaceException(null, 0, "recipe", ex.getMessage()) : node.error(ex.getMessage());
        }
    }

    private static StrategyConfig readStrategy(YamlCursor node) {
        Map<String, YamlCursor> e = node == null ? Map.of() : node.entriesOnly(STRATEGY_KEYS);
        String name = e.containsKey("name") ? e.get("name").asText() : DEFAULT_STRATEGY;
        if (!STRATEGIES.contains(name)) {
            throw e.get("name").error("unknown strategy '" + name + "' (known: " + String.join(", ", STRATEGIES) + ")");
        }
        if (StrategyConfig.GRID.equals(name)) {
            for (String key : List.of("population", "tournament", "candidates")) {
                if (e.containsKey(key)) throw e.get(key).error("the grid strategy takes no " + key);
            }
            return StrategyConfig.grid();
        }
        int population = intOr(e, "population", 16);
        int tournament = intOr(e, "tournament", 4);
        int candidates = intOr(e, "candidates", 4);
        if (population < 2) throw e.get("population").error("population must be at least 2");
        if (tournament < 1 || tournament > population) {
            throw (e.containsKey("tournament") ? e.get("tournament") : node).error("tournament must be in [1, population]");
        }
        if (candidates < 1) throw e.get("candidates").error("candidates must be at least 1");
        return new StrategyConfig(name, population, tournament, candidates);
    }

    /** {@code objectives: {val_loss: minimize, params: minimize}} and {@code constraints: ["params <= 2e6"]}. */
    private static Objectives readObjectives(YamlCursor objectivesNode, YamlCursor constraintsNode) {
        List<Objectives.Objective> objectives = new ArrayList<>();
        if (objectivesNode == null) {
            objectives.addAll(Objectives.DEFAULT.objectives());
        } else {
            for (Map.Entry<String, YamlCursor> o : objectivesNode.entries().entrySet()) {
                String metric = o.getKey();
                if (!Objectives.METRICS.contains(metric)) {
                    throw o.getValue().error("unknown objective metric '" + metric + "' (known: " + String.join(", ", Objectives.METRICS) + ")");
                }
                String goal = o.getValue().asText();
                if (!goal.equals("minimize") && !goal.equals("maximize")) throw o.getValue().error("expected minimize or maximize, got '" + goal + "'");
                objectives.add(new Objectives.Objective(metric, goal.equals("maximize")));
            }
            if (objectives.isEmpty()) throw objectivesNode.error("list at least one objective");
        }
        List<Objectives.Constraint> constraints = new ArrayList<>();
        if (constraintsNode != null) {
            for (YamlCursor item : constraintsNode.itemsOrSelf()) {
                java.util.regex.Matcher m = CONSTRAINT.matcher(item.asText());
                if (!m.matches()) throw item.error("expected 'metric <= number' (or <, >=, >), got '" + item.asText() + "'");
                if (!Objectives.METRICS.contains(m.group(1))) {
                    throw item.error("unknown metric '" + m.group(1) + "' (known: " + String.join(", ", Objectives.METRICS) + ")");
                }
                double bound;
                try {
                    bound = Double.parseDouble(m.group(3));
                } catch (NumberFormatException ex) {
                    throw item.error("'" + m.group(3) + "' is not a number");
                }
                constraints.add(new Objectives.Constraint(m.group(1), m.group(2), bound));
            }
        }
        return new Objectives(objectives, constraints);
    }

    /**
     * {@code fidelity: {rungs: 3, eta: 3, early_stop: true}}; absent: every trial trains the full
     * recipe. {@code rungs} defaults to 3, except that {@code fidelity: {early_stop: true}} alone is
     * early stopping without successive halving (one rung).
     */
    private static Fidelity readFidelity(YamlCursor node) {
        if (node == null) return Fidelity.FULL;
        Map<String, YamlCursor> e = node.entriesOnly(FIDELITY_KEYS);
        int defaultRungs = e.keySet().equals(java.util.Set.of("early_stop")) ? 1 : 3;
        try {
            return new Fidelity(intOr(e, "rungs", defaultRungs), intOr(e, "eta", 3), e.containsKey("early_stop") && e.get("early_stop").asBoolean());
        } catch (IllegalArgumentException ex) {
            throw node.error(ex.getMessage());
        }
    }

    private static int readBudget(YamlCursor node) {
        if (node == null) return 20;
        Map<String, YamlCursor> e = node.entriesOnly(List.of("trials"));
        int trials = intOr(e, "trials", 20);
        if (trials < 1) throw e.get("trials").error("budget.trials must be at least 1");
        return trials;
    }

    // ---- small readers ----------------------------------------------------------------------

    private static List<Integer> positiveInts(YamlCursor node) {
        List<Integer> out = new ArrayList<>();
        for (YamlCursor item : node.itemsOrSelf()) {
            int v = item.asInt();
            if (v <= 0) throw item.error("must be positive, got " + v);
            if (out.contains(v)) throw item.error("value " + v + " is listed twice");
            out.add(v);
        }
        if (out.isEmpty()) throw node.error("list at least one value");
        return out;
    }

    /**
     * One number or a list of distinct ones, each finite and positive ({@code zeroAllowed}: not
     * negative). A list of several values is a search decision.
     */
    private static List<Double> doubles(YamlCursor node, boolean zeroAllowed) {
        List<Double> out = new ArrayList<>();
        for (YamlCursor item : node.itemsOrSelf()) {
            double v = item.asDouble();
            if (!Double.isFinite(v) || (zeroAllowed ? v < 0 : v <= 0)) {
                throw item.error("must be " + (zeroAllowed ? "zero or positive" : "positive") + ", got " + item.scalar());
            }
            if (out.contains(v)) throw item.error("value " + item.scalar() + " is listed twice");
            out.add(v);
        }
        if (out.isEmpty()) throw node.error("list at least one value");
        return out;
    }

    private static YamlCursor require(Map<String, YamlCursor> e, String key, YamlCursor parent) {
        YamlCursor v = e.get(key);
        if (v == null) throw parent.error("missing key '" + key + "'");
        return v;
    }

    private static int intOr(Map<String, YamlCursor> e, String key, int fallback) {
        return e.containsKey(key) ? e.get(key).asInt() : fallback;
    }

    private static double doubleOr(Map<String, YamlCursor> e, String key, double fallback) {
        return e.containsKey(key) ? e.get(key).asDouble() : fallback;
    }

    private static long optionalLong(YamlCursor node, String key, long fallback) {
        Map<String, YamlCursor> e = node.entries();
        return e.containsKey(key) ? e.get(key).asLong() : fallback;
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
