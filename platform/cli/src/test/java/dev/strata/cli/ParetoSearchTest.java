package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NSGA-II on a real training space, end to end: the shipped example {@code search-spaces/pareto-small.yaml}
 * (validation loss and parameter count under {@code params <= 8000}), shrunk to a few steps and
 * trials, trained by worker processes with the built plugin jars; then {@code strata results pareto}
 * must print a real front: at least two trials, none over the limit, each one non-dominated among
 * the search's feasible trials as recorded in the database.
 */
class ParetoSearchTest {

    static final double LIMIT = 8000;

    @TempDir
    static Path dir;
    static Path plugins;

    @BeforeAll
    static void plugins() throws Exception {
        plugins = TestPlugins.copyBuiltIn(dir.resolve("plugins"));
    }

    /** The example, small: 10 steps, 8 trials (about 10 s on two cores). */
    static String smallExample() throws Exception {
        String yaml = Files.readString(Path.of(System.getProperty("strata.root", "../.."), "search-spaces", "pareto-small.yaml"));
        String small = yaml.replace("steps: 200", "steps: 10").replace("eval_every: 50", "eval_every: 5").replace("batch: 32", "batch: 16")
                .replace("validation_size: 256", "validation_size: 64").replace("trials: 24", "trials: 8").replace("population: 8", "population: 4");
        assertThat(small).as("the example changed: update this test's replacements")
                .contains("steps: 10,", "eval_every: 5}", "batch: 16,", "validation_size: 64}", "trials: 8}", "population: 4}",
                        "strategy: {name: nsga2", "objectives: {val_loss: minimize, params: minimize}", "constraints: [\"params <= 8000\"]");
        return small;
    }

    @Test
    void paretoPrintsOnlyFeasibleNonDominatedTrials() throws Exception {
        Path space = dir.resolve("pareto.yaml");
        Files.writeString(space, smallExample());
        Path db = dir.resolve("db/strata");
        Cli search = Cli.run("search", space.toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--workers", "2", "--quiet");
        assertThat(search.exitCode()).as(search.toString()).isZero();
        assertThat(search.out()).contains("8 trials (0 failed)").contains("objectives val_loss:min,params:min, constraints params<=8000.0");

        long searchId;
        List<TrialSummary> trials;
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            searchId = store.searches().getFirst().id();
            trials = store.trials(searchId);
        }
        assertThat(trials).hasSize(8).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
        List<TrialSummary> feasible = trials.stream().filter(t -> t.params() <= LIMIT && Double.isFinite(t.valLoss())).toList();
        assertThat(trials).as("the limit must matter: some candidates break it").anyMatch(t -> t.params() > LIMIT);

        Cli json = Cli.run("results", "pareto", "--search", Long.toString(searchId), "--db", db.toString(), "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode r = new ObjectMapper().readTree(json.out());
        assertThat(r.path("constraints").get(0).asText()).isEqualTo("params<=8000");
        assertThat(r.path("feasible").asInt()).isEqualTo(feasible.size());
        List<Long> front = new ArrayList<>();
        r.path("front").forEach(n -> front.add(n.path("id").asLong()));

        Cli table = Cli.run("results", "pareto", "--search", Long.toString(searchId), "--db", db.toString(), "--width", "200");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("search " + searchId + ": " + front.size() + " trials on the Pareto front of " + feasible.size() + " feasible");
        List<Long> printed = table.out().lines().map(String::strip).filter(l -> l.matches("\\d+\\s+\\d+\\s.*"))
                .map(l -> Long.parseLong(l.split("\\s+")[0])).toList();
        assertThat(printed).as(table.out()).containsExactlyInAnyOrderElementsOf(front);
        System.out.println(table.out());

        assertThat(front).as("at least two non-dominated trials").hasSizeGreaterThanOrEqualTo(2);
        Map<Long, TrialSummary> byId = trials.stream().collect(Collectors.toMap(TrialSummary::id, Function.identity()));
        for (long id : front) {
            TrialSummary p = byId.get(id);
            assertThat(p).as("front trial " + id + " belongs to the search").isNotNull();
            assertThat(p.params()).as("trial " + id + " meets the constraint").isLessThanOrEqualTo((long) LIMIT);
            for (TrialSummary q : feasible) {
                boolean dominates = q.valLoss() <= p.valLoss() && q.params() <= p.params() && (q.valLoss() < p.valLoss() || q.params() < p.params());
                assertThat(dominates).as("trial " + q.id() + " dominates front trial " + id).isFalse();
            }
        }
        // And the front is complete: every feasible trial left out is dominated by one on it.
        for (TrialSummary q : feasible) {
            if (front.contains(q.id())) continue;
            assertThat(front.stream().map(byId::get)).as("trial " + q.id() + " is dominated by a front trial")
                    .anyMatch(p -> p.valLoss() <= q.valLoss() && p.params() <= q.params());
        }
    }
}
