package dev.strata.cli.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.results.NewSearch;
import dev.strata.core.results.NewTrial;
import dev.strata.core.results.ResultsStore;
import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ResultsCommandTest {

    private static final String TASK = "task.copy{length=16}#seed=1";
    private static final String RECIPE = "steps=10,batch=4";

    @TempDir
    Path dir;

    private Path db;
    private long searchId;
    private final List<Long> trialIds = new ArrayList<>();

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ResultsCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Architecture arch(int heads, int layers) {
        LayerSpec l = new LayerSpec(ComponentRef.of("attention.mha", Map.of("heads", heads)),
                ComponentRef.of("mixer.mlp", Map.of("expansion", 4.0)), ComponentRef.of("norm.rms"),
                ComponentRef.of("residual.pre_norm"));
        return new Architecture(64, Collections.nCopies(layers, l), ComponentRef.of("norm.rms"));
    }

    @BeforeEach
    void fill() {
        db = dir.resolve("results/strata");
        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            searchId = store.createSearch(new NewSearch("quickstart", "quickstart.yaml", "budget: 3\n", 7, "evolution",
                    TASK, RECIPE, 3, "cpu"));
            double[] losses = {2.5, 1.25, Double.NaN};
            for (int i = 0; i < losses.length; i++) {
                long t = store.startTrial(new NewTrial(searchId, i + 1, 0, null, arch(i + 1, 6), TASK, RECIPE, i, "cpu"));
                trialIds.add(t);
                store.finishTrial(t, Double.isNaN(losses[i])
                        ? TrialResult.failed(t, "loss became NaN at step 4")
                        : new TrialResult(t, true, null,
                                Map.of("val_loss", losses[i], "val_accuracy", 0.5, "params", 123_456.0, "train_seconds", 2.0),
                                List.of(new CurvePoint(10, "val", losses[i], 0.5)), Map.of()));
            }
            store.finishSearch(searchId, "finished", trialIds.get(1));
        }
    }

    @Test
    void topPrintsATableThatFitsTheTerminal() {
        Run r = run("top", "--db", db.toString(), "--width", "100");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("id").contains("search", "#", "status", "val_loss", "val_acc", "params", "seconds", "architecture");
        assertThat(lines).hasSize(4); // header, rule, two ok trials (the failed one is not ranked)
        assertThat(lines.get(2)).contains("1.2500", "0.500", "123.5k", "2.0", "d64 x6 [").endsWith("...");
        assertThat(lines.get(3)).contains("2.5000");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void topAsJson() throws Exception {
        Run r = run("top", "-n", "1", "--search", Long.toString(searchId), "--json", "--db", db + ".mv.db");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.size()).isEqualTo(1);
        assertThat(json.get(0).get("id").asLong()).isEqualTo(trialIds.get(1));
        assertThat(json.get(0).get("val_loss").asDouble()).isEqualTo(1.25);
        assertThat(json.get(0).get("summary").asText()).isEqualTo(arch(2, 6).summary());
    }

    @Test
    void topOfAnUnknownSearchIsBadInput() {
        Run r = run("top", "--search", "999", "--db", db.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("strata: no search with id 999");
    }

    @Test
    void sqlPrintsATable() {
        Run r = run("sql", "--db", db.toString(), "SELECT id, status, error FROM trial ORDER BY id");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).matches("ID\\s+STATUS\\s+ERROR");
        assertThat(lines.get(2)).matches(trialIds.get(0) + "\\s+ok\\s+null");
        assertThat(lines.get(4)).matches(trialIds.get(2) + "\\s+failed\\s+loss became NaN at step 4");
        assertThat(lines.getLast()).isEqualTo("(3 rows)");
    }

    @Test
    void sqlAsJsonAndAggregatesOverComponents() throws Exception {
        Run r = run("sql", "--json", "--db", ResultsStore.fileUrl(db), """
                SELECT c.component_id AS mixer, COUNT(*) AS trials, AVG(t.val_loss) AS mean_val_loss
                FROM trial t JOIN trial_component c ON c.trial_id = t.id
                WHERE t.status = 'ok' AND c.slot = 'token_mixer' AND c.layer = 0
                GROUP BY c.component_id""");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.size()).isEqualTo(1);
        assertThat(json.get(0).get("MIXER").asText()).isEqualTo("attention.mha");
        assertThat(json.get(0).get("TRIALS").asInt()).isEqualTo(2);
        assertThat(json.get(0).get("MEAN_VAL_LOSS").asDouble()).isEqualTo(1.875);
    }

    @Test
    void sqlWritesAreRefused() {
        for (String write : List.of("DELETE FROM trial", "DROP TABLE metric", "INSERT INTO metric VALUES (1, 'x', 1.0)",
                "CREATE TABLE t (x INT)", "CALL CSVWRITE('" + dir.resolve("out.csv") + "', 'SELECT * FROM trial')")) {
            Run r = run("sql", "--db", db.toString(), write);
            assertThat(r.code()).as(write).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).startsWith("strata: results sql is read-only: ");
            assertThat(r.err().lines().count()).isEqualTo(1);
        }
        assertThat(dir.resolve("out.csv")).doesNotExist();
        Run count = run("sql", "--db", db.toString(), "SELECT COUNT(*) FROM trial");
        assertThat(count.out()).contains("3");
        Run bad = run("sql", "--db", db.toString(), "SELECT nope FROM trial");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("strata: results sql failed: Column \"NOPE\" not found");
    }

    @Test
    void aMissingDatabaseIsNotCreated() {
        Path missing = dir.resolve("nothing/here");
        for (String[] args : List.of(new String[] {"top", "--db", missing.toString()},
                new String[] {"sql", "--db", missing.toString(), "SELECT 1"},
                new String[] {"searches", "--db", missing.toString()})) {
            Run r = run(args);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("strata: no results database at " + missing + ".mv.db: run a search first");
        }
        assertThat(dir.resolve("nothing")).doesNotExist();
    }

    @Test
    void searchesListsEverySearch() {
        Run r = run("searches", "--db", db.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().toList().get(2))
                .matches(searchId + "\\s+quickstart\\s+evolution\\s+7\\s+finished\\s+3\\s+" + trialIds.get(1) + "\\s+1\\.2500\\s+.*");
    }

    @Test
    void noSubcommandPrintsUsage() {
        Run r = run();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("top", "sql", "searches");
    }
}
