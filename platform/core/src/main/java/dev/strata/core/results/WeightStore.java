package dev.strata.core.results;

import dev.strata.core.training.TrialRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Trained weights next to a file database: {@code <db folder>/weights/<searchId>/<trialId>.params},
 * in DJL's parameter format ({@code Block.saveParameters}). The orchestrator gives each trial its
 * path ({@link #attach}); the worker writes the file when the trial finishes; at the end of a search
 * {@link #prune} keeps only the best trials' files. A database that is not a local file (an
 * in-memory or server URL) keeps no weights: {@link #enabled()} is false.
 */
public final class WeightStore {

    /** How many trials of a search keep their weights after it ends. */
    public static final int KEEP = 10;

    /** File name suffix of a weights file. */
    public static final String SUFFIX = ".params";

    private final ResultsStore store;
    private final Path root;

    private WeightStore(ResultsStore store, Path root) {
        this.store = store;
        this.root = root;
    }

    /** The weights folder of the store's database: {@code weights/} beside its file, or none. */
    public static WeightStore of(ResultsStore store) {
        Path root = ResultsStore.localFile(store.url())
                .map(p -> p.toAbsolutePath().getParent())
                .map(dir -> dir.resolve("weights"))
                .orElse(null);
        return new WeightStore(store, root);
    }

    /** Whether weights are kept (the database is a local file). */
    public boolean enabled() {
        return root != null;
    }

    /** The {@code weights} folder; only when {@link #enabled()}. */
    public Path root() {
        if (root == null) throw new IllegalStateException("no weights folder: " + store.url() + " is not a file database");
        return root;
    }

    /** Where the weights of a trial live (whether or not they are there). */
    public Path path(long searchId, long trialId) {
        return root().resolve(Long.toString(searchId)).resolve(trialId + SUFFIX);
    }

    /** The request with its weights path set, when weights are kept; else the request unchanged. */
    public TrialRequest attach(long searchId, TrialRequest request) {
        return enabled() ? request.withWeightsFile(path(searchId, request.trialId()).toString()) : request;
    }

    /**
     * The weights file of a trial, if it is there. A cached trial has none of its own: the file of
     * the trial it copies is looked up.
     */
    public Optional<Path> find(ResultsReader reader, TrialRecord trial) {
        if (!enabled()) return Optional.empty();
        TrialRecord trained = trial.cachedFromTrialId() == null ? trial : reader.trial(trial.cachedFromTrialId()).orElse(null);
        if (trained == null) return Optional.empty();
        Path p = path(trained.searchId(), trained.id());
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * Keeps the weights of the {@code keep} trials of the search with the lowest validation loss
     * (among those that have a file) and deletes the others, with any temporary files left by a
     * worker that died while saving.
     *
     * @return how many files were deleted
     */
    public int prune(long searchId, int keep) {
        if (!enabled()) return 0;
        if (keep < 0) throw new IllegalArgumentException("keep must not be negative, got " + keep);
        Path dir = root.resolve(Long.toString(searchId));
        if (!Files.isDirectory(dir)) return 0;
        Map<Long, Double> loss = new HashMap<>();
        for (TrialSummary t : store.trials(searchId)) {
            loss.put(t.id(), "ok".equals(t.status()) && Double.isFinite(t.valLoss()) ? t.valLoss() : Double.POSITIVE_INFINITY);
        }
        List<Path> files = new ArrayList<>();
        List<Path> junk = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                Long id = trialId(p);
                if (id != null && loss.containsKey(id)) files.add(p);
                else junk.add(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        files.sort(Comparator.<Path>comparingDouble(p -> loss.get(trialId(p))).thenComparingLong(WeightStore::trialId));
        int deleted = 0;
        for (int i = keep; i < files.size(); i++) deleted += delete(files.get(i));
        for (Path p : junk) deleted += delete(p);
        return deleted;
    }

    /** The trial id of a weights file name, or null for another file. */
    private static Long trialId(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(SUFFIX)) return null;
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int delete(Path p) {
        try {
            return Files.deleteIfExists(p) ? 1 : 0;
        } catch (IOException e) {
            return 0; // a file that cannot be deleted now is pruned next time
        }
    }
}
