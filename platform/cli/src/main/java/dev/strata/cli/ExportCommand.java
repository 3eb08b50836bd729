package dev.strata.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.core.plugins.PluginHost;
import dev.strata.core.results.ResultsReader;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.SearchRecord;
import dev.strata.core.results.TrialRecord;
import dev.strata.core.results.WeightStore;
import dev.strata.core.space.ArchitectureFile;
import dev.strata.core.training.MedianStopping;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata export TRIAL --out DIR}: a trained trial as files another run (or another tool) can
 * use: {@code architecture.yaml} ({@code strata train} reads it), {@code weights.params} (DJL
 * {@code Block.saveParameters} format), {@code recipe.json} and {@code provenance.json}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a trial's architecture (YAML that 'strata train' reads), trained weights, recipe and provenance into a folder.",
                "Only the best " + WeightStore.KEEP + " trials of a search keep their weights; --retrain recreates missing ones from the recorded seed."})
public final class ExportCommand implements Callable<Integer> {

    static final String ARCHITECTURE = "architecture.yaml";
    static final String WEIGHTS = "weights.params";
    static final String RECIPE = "recipe.json";
    static final String PROVENANCE = "provenance.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRIAL", description = "Trial id.")
    long trialId;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder to write into (created if needed; the four files are replaced).")
    Path out;

    @Option(names = "--retrain", description = "When the weights were not kept, train the trial again with its recorded recipe and seed to recreate them.")
    boolean retrain;

    @Option(names = "--db", paramLabel = "PATH|URL", description = "Results database (default: STRATA_DB or results/strata).")
    String db;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugins folder, for --retrain (default: STRATA_PLUGINS or build/plugins).")
    Path plugins;

    @Option(names = "--device", defaultValue = "cpu", description = "Device for --retrain: cpu (default), gpu or gpu:N.")
    String device;

    @Option(names = "--json", description = "Print the written files and the weights' source as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        String url = ResultsStore.urlFor(db != null ? db : StrataPaths.defaultDatabase());
        try (ResultsStore store = ResultsStore.openForReading(url)) {
            ResultsReader reader = new ResultsReader(store);
            TrialRecord t = reader.requireTrial(trialId);
            if (!t.finished()) {
                throw new IllegalArgumentException("trial " + trialId + " is " + t.status() + (t.error() != null ? " (" + t.error() + ")" : "")
                        + ": only a finished trial can be exported");
            }
            if (t.recipeJson() == null) {
                throw new IllegalArgumentException("trial " + trialId + " has no recorded recipe (recorded before schema version 2): it cannot be exported");
            }
            SearchRecord search = reader.requireSearch(t.searchId());
            // The space that trained it: a cached trial's own search may not have kept its file, its source's has.
            SearchRecord trainedIn = t.cachedFromTrialId() == null ? search
                    : reader.trial(t.cachedFromTrialId()).flatMap(x -> reader.search(x.searchId())).orElse(search);
            SearchRecord spaceOf = hasTask(search) || !hasTask(trainedIn) ? search : trainedIn;
            ObjectNode task = taskOf(spaceOf, trialId);
            Path baseDir = baseDir(spaceOf, task);
            task.remove("base_dir");
            Optional<Path> weights = WeightStore.of(store).find(reader, t);
            if (weights.isEmpty() && !retrain) {
                throw new IllegalArgumentException("no weights for trial " + trialId + " (only the best " + WeightStore.KEEP
                        + " trials of a search keep theirs, and none before weights were kept): add --retrain to recreate them from its recorded seed");
            }

            Files.createDirectories(out);
            List<String> header = List.of("Strata architecture: trial " + t.id() + " of search " + t.searchId() + " (" + search.name() + "), val_loss "
                            + String.format(Locale.ROOT, "%.6f", t.valLoss()),
                    "  " + t.summary(),
                    "Train it again: bin/strata train " + out.resolve(ARCHITECTURE) + " [--steps N]");
            Files.writeString(out.resolve(ARCHITECTURE), ArchitectureFile.write(header, t.architecture(), task, t.recipeJson(), t.seed(), baseDir,
                    t.id(), t.valLoss()));
            Files.writeString(out.resolve(RECIPE), JSON.writeValueAsString(JSON.readTree(t.recipeJson())) + "\n");

            Path weightsOut = out.resolve(WEIGHTS);
            String weightsSource;
            if (weights.isPresent()) {
                Files.copy(weights.get(), weightsOut, StandardCopyOption.REPLACE_EXISTING);
                weightsSource = weights.get().toString();
            } else {
                TrialResult r = retrain(t, store.metrics(t.id()).get(MedianStopping.STOPPED_AT_STEP), weightsOut,
                        json ? spec.commandLine().getErr() : stdout);
                if (!r.ok()) {
                    spec.commandLine().getErr().println("strata: retraining trial " + trialId + " failed: " + r.error());
                    return ExitCodes.FAILED;
                }
                weightsSource = "retrained";
            }
            Files.writeString(out.resolve(PROVENANCE), JSON.writeValueAsString(provenance(t, search, task, store.metrics(t.id()), url,
                    weightsSource, sha256(weightsOut))) + "\n");
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                o.put("trial_id", trialId);
                o.put("folder", out.toAbsolutePath().toString());
                for (String f : List.of(ARCHITECTURE, WEIGHTS, RECIPE, PROVENANCE)) o.put(f, out.resolve(f).toAbsolutePath().toString());
                o.put("weights_source", weightsSource);
                stdout.println(JSON.writeValueAsString(o));
            } else {
                stdout.println("exported trial " + trialId + " to " + out + ": " + ARCHITECTURE + ", " + WEIGHTS + ", " + RECIPE + ", " + PROVENANCE);
            }
            stdout.flush();
            return ExitCodes.OK;
        }
    }

    /**
     * Trains the trial again in a worker with its recorded recipe and seed, saving the weights to
     * {@code file}. A trial that its search stopped early ({@code stoppedAt}, else null) stops at
     * the same step again: a threshold no loss can meet there.
     */
    private TrialResult retrain(TrialRecord t, Double stoppedAt, Path file, PrintWriter stdout) {
        Path pluginDir = plugins != null ? plugins : StrataPaths.defaultPlugins();
        try (PluginHost host = PluginHost.load(pluginDir)) {
            ArchitectureFile arch = ArchitectureFile.load(out.resolve(ARCHITECTURE), host.registry());
            stdout.printf(Locale.ROOT, "weights of trial %d were not kept: retraining it (%d steps, seed %d)...%n", t.id(), arch.recipe().steps(), arch.seed());
            stdout.flush();
            TrialRequest request = new TrialRequest(t.id(), arch.architecture(), arch.task(), arch.recipe(), arch.seed(), file.toAbsolutePath().toString());
            if (stoppedAt != null && Double.isFinite(stoppedAt)) {
                request = request.withStopThresholds(Map.of((int) Math.round(stoppedAt), -Double.MAX_VALUE));
                stdout.printf(Locale.ROOT, "(its search stopped it early, at step %d: so does the retraining)%n", Math.round(stoppedAt));
            }
            TrialResult r = OneTrial.train(host.folder(), device, request);
            if (r.ok()) {
                stdout.printf(Locale.ROOT, "retrained: val_loss %.6f (recorded %.6f, difference %+.2e)%n", r.metric("val_loss"), t.valLoss(),
                        r.metric("val_loss") - t.valLoss());
            }
            return r;
        }
    }

    /**
     * The task section of the search's space (or architecture file), as the search wrote it.
     *
     * @throws IllegalArgumentException when the search did not keep its file's text
     */
    static ObjectNode taskOf(SearchRecord search, long trialId) {
        JsonNode task = null;
        try {
            JsonNode root = search.spaceYaml() == null ? null : YAML.readTree(search.spaceYaml());
            task = root == null ? null : root.get("task");
        } catch (JsonProcessingException e) {
            // falls through to the error below
        }
        if (task != null && task.isTextual()) return JSON.createObjectNode().put("id", task.asText());
        if (task == null || !task.isObject()) {
            throw new IllegalArgumentException("cannot recover the task of trial " + trialId + ": search " + search.id() + " kept no readable space file");
        }
        return (ObjectNode) task.deepCopy();
    }

    private static boolean hasTask(SearchRecord search) {
        try {
            taskOf(search, 0);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The folder relative data files of the task were read from: the space file's (or its base_dir). */
    static Path baseDir(SearchRecord search, JsonNode task) {
        if (search.spaceFile() == null) return null;
        Path folder = Path.of(search.spaceFile()).toAbsolutePath().getParent();
        JsonNode base = task.get("base_dir");
        return base != null && base.isTextual() ? folder.resolve(base.asText()).normalize() : folder;
    }

    private static ObjectNode provenance(TrialRecord t, SearchRecord search, JsonNode task, Map<String, Double> metrics, String url,
            String weightsSource, String weightsSha) throws JsonProcessingException {
        ObjectNode p = JSON.createObjectNode();
        p.put("strata", StrataCli.class.getAnnotation(Command.class).version()[0]);
        p.put("exported_at", Instant.now().toString());
        p.put("database", url);
        p.put("trial_id", t.id());
        p.put("search_id", t.searchId());
        p.put("search_name", search.name());
        p.put("trained_trial_id", t.trainedTrialId());
        p.put("status", t.status());
        p.put("fingerprint", t.fingerprint());
        p.put("summary", t.summary());
        p.put("seed", t.seed());
        p.set("recipe", JSON.readTree(t.recipeJson()));
        p.put("task_key", t.taskKey());
        p.put("recipe_key", t.recipeKey());
        p.set("task", task);
        p.put("device", t.device());
        JsonNode versions = t.componentVersionsJson() == null ? JSON.createObjectNode() : JSON.readTree(t.componentVersionsJson());
        p.set("components", versions);
        Map<String, String> pluginVersions = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = versions.properties().iterator(); it.hasNext(); ) {
            String v = it.next().getValue().asText(); // plugin@version/componentVersion
            int at = v.indexOf('@');
            int slash = v.lastIndexOf('/');
            if (at > 0) pluginVersions.put(v.substring(0, at), slash > at ? v.substring(at + 1, slash) : v.substring(at + 1));
        }
        ObjectNode plugins = p.putObject("plugins");
        pluginVersions.forEach(plugins::put);
        ObjectNode m = p.putObject("metrics");
        metrics.forEach((k, v) -> m.put(k, Double.isFinite(v) ? v : null));
        ObjectNode w = p.putObject("weights");
        w.put("file", WEIGHTS);
        w.put("format", "DJL Block.saveParameters");
        w.put("sha256", weightsSha);
        w.put("source", weightsSource);
        return p;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
