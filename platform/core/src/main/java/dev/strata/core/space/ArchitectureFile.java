package dev.strata.core.space;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.strata.api.Component;
import dev.strata.api.Params;
import dev.strata.api.TaskProvider;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.ComponentRegistry;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TaskSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One architecture with everything needed to train it again: the file {@code strata export} writes
 * and {@code strata train} reads.
 *
 * <pre>
 * architecture:
 *   d_model: 64
 *   layers:
 *   - token_mixer: {id: attention.mha, params: {heads: 4}}
 *     channel_mixer: {id: mixer.mlp, params: {activation: gelu, expansion: 4.0}}
 *     norm: {id: norm.rms}
 *     residual: {id: residual.pre_norm}
 *   final_norm: {id: norm.rms}
 * task: {id: task.mqar, params: {pairs: 4, vocab: 32}, seed: 1}     # base_dir: folder for relative data files
 * recipe: {steps: 250, batch: 32, lr: 0.003, weight_decay: 0.01, warmup: 25, min_lr_ratio: 0.1,
 *          eval_every: 50, grad_clip: 1.0, time_limit: 600, seed: 0}
 * seed: 8410592634127             # initialisation and batch-order seed of the trial
 * fingerprint: 3fa2...            # of the exported architecture (optional; an edited file differs)
 * trained: {trial: 42, val_loss: 1.2345}   # what the exported trial reached (optional, for comparison)
 * </pre>
 *
 * <p>A component may be written {@code id} alone or {@code {id: ..., params: {...}}}; parameters
 * left out take the component's defaults. Keys, components and values are checked as in a search
 * space, with file, line and key in the message.
 *
 * @param fingerprint the fingerprint the file states, or null
 * @param trainingSeed {@code recipe.seed}: part of the recipe's cache key, as in a search
 * @param trainedTrialId the trial the file was exported from, or null
 * @param trainedValLoss that trial's validation loss, or NaN
 */
public record ArchitectureFile(Path file, String yaml, Architecture architecture, TaskSpec task, Recipe recipe,
        long trainingSeed, long seed, String fingerprint, Long trainedTrialId, double trainedValLoss) {

    private static final List<String> TOP_KEYS = List.of("architecture", "task", "recipe", "seed", "fingerprint", "trained");
    private static final List<String> TRAINED_KEYS = List.of("trial", "val_loss");
    private static final List<String> ARCH_KEYS = List.of("d_model", "layers", "final_norm");
    private static final List<String> LAYER_KEYS = List.of("token_mixer", "channel_mixer", "norm", "residual");
    private static final List<String> REF_KEYS = List.of("id", "params");
    private static final List<String> TASK_KEYS = List.of("id", "params", "seed", "base_dir");
    private static final List<String> RECIPE_KEYS = List.of("steps", "batch", "lr", "weight_decay", "warmup", "min_lr_ratio",
            "eval_every", "grad_clip", "time_limit", "seed");

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether the stated fingerprint is missing or matches the architecture (false: the file was edited). */
    public boolean fingerprintMatches() {
        return fingerprint == null || fingerprint.equals(architecture.fingerprint());
    }

    // ------------------------------------------------------------------ writing

    /**
     * The file's text.
     *
     * @param header comment lines put first (without {@code #})
     * @param task the task as a search space writes it: {@code {id, params, seed}}; {@code base_dir} is added when given
     * @param recipeJson the recipe as a trial records it ({@code Recipe.json(seed)}), keys as in a search space
     * @param baseDir folder relative data files of the task are resolved against, or null
     * @param trainedTrialId the trial exported, or null
     * @param trainedValLoss its validation loss (NaN: not written)
     */
    public static String write(List<String> header, Architecture architecture, JsonNode task, String recipeJson, long seed,
            Path baseDir, Long trainedTrialId, double trainedValLoss) {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.set("architecture", JSON.readTree(architecture.canonicalJson()));
            ObjectNode t = task.deepCopy();
            if (baseDir != null) t.put("base_dir", baseDir.toString());
            root.set("task", t);
            root.set("recipe", JSON.readTree(recipeJson));
            root.put("seed", seed);
            root.put("fingerprint", architecture.fingerprint());
            if (trainedTrialId != null) {
                ObjectNode trained = root.putObject("trained");
                trained.put("trial", trainedTrialId);
                if (Double.isFinite(trainedValLoss)) trained.put("val_loss", trainedValLoss);
            }
            StringBuilder b = new StringBuilder();
            for (String line : header) b.append("# ").append(line).append('\n');
            return b.append(YAML.writeValueAsString(root)).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the architecture file: " + e.getOriginalMessage(), e);
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads and checks {@code file} against the installed components.
     *
     * @throws SpaceException naming file, line and key
     */
    public static ArchitectureFile load(Path file, ComponentRegistry registry) {
        String text = YamlCursor.read(file);
        YamlCursor root = YamlCursor.parse(text, file);
        Map<String, YamlCursor> top = root.entriesOnly(TOP_KEYS);
        Architecture architecture = readArchitecture(require(top, "architecture", root), registry);
        YamlCursor taskNode = require(top, "task", root);
        TaskSpec task = readTask(taskNode, file, registry);
        YamlCursor recipeNode = require(top, "recipe", root);
        Recipe recipe = readRecipe(recipeNode);
        Map<String, YamlCursor> r = recipeNode.entries();
        long trainingSeed = r.containsKey("seed") ? r.get("seed").asExactLong() : 0L;
        long seed = top.containsKey("seed") ? top.get("seed").asExactLong() : 0L;
        String fingerprint = top.containsKey("fingerprint") ? top.get("fingerprint").asText() : null;
        Long trainedTrial = null;
        double trainedLoss = Double.NaN;
        if (top.containsKey("trained")) {
            Map<String, YamlCursor> t = top.get("trained").entriesOnly(TRAINED_KEYS);
            if (t.containsKey("trial")) trainedTrial = t.get("trial").asExactLong();
            if (t.containsKey("val_loss")) trainedLoss = t.get("val_loss").asDouble();
        }
        boolean causal = registry.require(task.id(), TaskProvider.class)
                .create(task.params(), task.dataSeed(), Path.of(task.baseDir())).causal();
        try {
            new ModelComposer(registry).validate(architecture, causal, task.id());
        } catch (IllegalArgumentException e) {
            throw top.get("architecture").error(e.getMessage());
        }
        return new ArchitectureFile(file, text, architecture, task, recipe, trainingSeed, seed, fingerprint, trainedTrial, trainedLoss);
    }

    private static Architecture readArchitecture(YamlCursor node, ComponentRegistry registry) {
        Map<String, YamlCursor> e = node.entriesOnly(ARCH_KEYS);
        int dModel = require(e, "d_model", node).asInt();
        if (dModel <= 0) throw e.get("d_model").error("d_model must be positive");
        List<LayerSpec> layers = new ArrayList<>();
        YamlCursor layerList = require(e, "layers", node);
        for (YamlCursor l : layerList.items()) {
            Map<String, YamlCursor> slots = l.entriesOnly(LAYER_KEYS);
            layers.add(new LayerSpec(ref(require(slots, "token_mixer", l), registry), ref(require(slots, "channel_mixer", l), registry),
                    ref(require(slots, "norm", l), registry), ref(require(slots, "residual", l), registry)));
        }
        if (layers.isEmpty()) throw layerList.error("an architecture needs at least one layer");
        return new Architecture(dModel, layers, ref(require(e, "final_norm", node), registry));
    }

    /** {@code id} or {@code {id, params}}; parameters resolved (defaults filled in, values checked) by the component. */
    private static ComponentRef ref(YamlCursor node, ComponentRegistry registry) {
        Map<String, Object> given = new LinkedHashMap<>();
        Map<String, YamlCursor> e = node.isMap() ? node.entriesOnly(REF_KEYS) : Map.of();
        YamlCursor idNode = node.isMap() ? require(e, "id", node) : node;
        if (node.isMap()) {
            YamlCursor params = e.get("params");
            if (params != null && !(params.isScalar() && params.scalar() == null)) {
                params.entries().forEach((k, v) -> given.put(k, v.scalar()));
            }
        }
        String id = idNode.asText();
        ComponentInfo info = registry.find(id).orElseThrow(() -> idNode.error("unknown component '" + id + "'"
                + " (run 'strata plugins list' to see the installed components)"));
        return new ComponentRef(id, resolve(info.component(), given, node));
    }

    private static TaskSpec readTask(YamlCursor node, Path file, ComponentRegistry registry) {
        Map<String, YamlCursor> e = node.isScalar() ? Map.of("id", node) : node.entriesOnly(TASK_KEYS);
        YamlCursor idNode = require(e, "id", node);
        String id = idNode.asText();
        ComponentInfo info = registry.find(id).orElseThrow(() -> idNode.error("unknown task '" + id + "'"));
        if (!(info.component() instanceof TaskProvider)) throw idNode.error("'" + id + "' is not a task");
        Map<String, Object> given = new LinkedHashMap<>();
        if (e.containsKey("params")) e.get("params").entries().forEach((k, v) -> given.put(k, v.scalar()));
        Params params = resolve(info.component(), given, node);
        long dataSeed = e.containsKey("seed") ? e.get("seed").asExactLong() : 0L;
        Path folder = file.toAbsolutePath().getParent();
        Path baseDir = e.containsKey("base_dir") ? folder.resolve(e.get("base_dir").asText()) : folder;
        return new TaskSpec(id, params, dataSeed, baseDir.toString());
    }

    private static Params resolve(Component component, Map<String, Object> given, YamlCursor at) {
        try {
            return ModelComposer.resolveParams(component, Params.of(given));
        } catch (IllegalArgumentException ex) {
            throw at.error(ex.getMessage());
        }
    }

    /** Defaults as in a search space. */
    private static Recipe readRecipe(YamlCursor node) {
        Map<String, YamlCursor> e = node.entriesOnly(RECIPE_KEYS);
        int steps = e.containsKey("steps") ? e.get("steps").asInt() : 300;
        try {
            return new Recipe(steps,
                    e.containsKey("batch") ? e.get("batch").asInt() : 32,
                    e.containsKey("lr") ? e.get("lr").asDouble() : 3e-3,
                    e.containsKey("weight_decay") ? e.get("weight_decay").asDouble() : 0.01,
                    e.containsKey("warmup") ? e.get("warmup").asInt() : Math.max(1, steps / 10),
                    e.containsKey("min_lr_ratio") ? e.get("min_lr_ratio").asDouble() : 0.1,
                    e.containsKey("eval_every") ? e.get("eval_every").asInt() : Math.max(1, steps / 4),
                    e.containsKey("grad_clip") ? e.get("grad_clip").asDouble() : 1.0,
                    e.containsKey("time_limit") ? e.get("time_limit").asInt() : 600);
        } catch (IllegalArgumentException ex) {
            throw node.error(ex.getMessage());
        }
    }

    private static YamlCursor require(Map<String, YamlCursor> entries, String key, YamlCursor parent) {
        YamlCursor v = entries.get(key);
        if (v == null) throw parent.error("missing key '" + key + "'");
        return v;
    }
}
