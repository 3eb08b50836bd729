package dev.strata.cli.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.strata.cli.StrataCli;
import dev.strata.core.results.ParetoFront;
import dev.strata.core.results.QueryResult;
import dev.strata.core.results.ResultsStore;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * The analysis commands on a generated database of three searches (150 trials): what they print is
 * checked against plain SQL over the same database and against the schema's views.
 */
class ResultsAnalysisTest {

    @TempDir
    static Path dir;
    static String db;
    static List<Long> searches;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int code, String out, String err) {}

    @BeforeAll
    static void generate() {
        db = dir.resolve("results/strata").toString();
        searches = SyntheticResults.fill(ResultsStore.urlFor(db), 150, 3, 7).searchIds();
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = StrataCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db", db));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode json(String... args) throws Exception {
        Run r = run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    private static QueryResult sql(String query) {
        try (ResultsStore s = ResultsStore.openExisting(ResultsStore.urlFor(db))) {
            return s.readOnlyQuery(query);
        }
    }

    private static long num(Object o) {
        return ((Number) o).longValue();
    }

    // ------------------------------------------------------------------ show, compare

    @Test
    void showPrintsTheWholeTrial() throws Exception {
        long best = json("results", "top", "-n", "1", "--search", Long.toString(searches.get(0)), "--json").get(0).get("id").asLong();
        Run r = run("results", "show", Long.toString(best), "--width", "100");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("trial " + best + "  search " + searches.get(0) + " (synthetic-1)", "layer", "token_mixer",
                "recipe    steps 250, batch 32, lr 0.003", "task      task.mqar", "metrics", "val_loss", "flops_per_token",
                "curve     train loss ", "val step", "plugins   attention.mha attention@0.1.0/1.0");
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));

        JsonNode j = json("results", "show", Long.toString(best), "--json");
        assertThat(j.get("id").asLong()).isEqualTo(best);
        assertThat(j.get("metrics").get("val_loss").asDouble()).isPositive();
        assertThat(j.get("curve")).hasSize(30);
        assertThat(j.get("architecture").get("layers").size()).isBetween(1, 4);
        assertThat(j.get("recipe").get("steps").asInt()).isEqualTo(250);
        Object parent = sql("SELECT parent_trial_id FROM trial WHERE id = " + best).rows().getFirst().getFirst();
        if (parent == null) assertThat(j.get("parent").isNull()).isTrue();
        else assertThat(j.get("parent").get("id").asLong()).isEqualTo(num(parent));
    }

    @Test
    void anUnknownTrialIsOneLineAndExitTwo() {
        for (String[] args : List.of(new String[] {"results", "show", "999999"}, new String[] {"results", "compare", "1", "999999"})) {
            Run r = run(args);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).isEqualTo("strata: no trial with id 999999 (see 'strata results top')" + System.lineSeparator());
        }
        Run bad = run("results", "show", "seven");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("strata: Invalid value for positional parameter at index 0 (TRIAL): 'seven'");
    }

    @Test
    void compareMarksTheRowsThatDiffer() throws Exception {
        JsonNode top = json("results", "top", "-n", "2", "--search", Long.toString(searches.get(1)), "--json");
        String a = top.get(0).get("id").asText();
        String b = top.get(1).get("id").asText();
        Run r = run("results", "compare", a, b, "--width", "90");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).contains("field", "trial " + a, "trial " + b);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("* val_loss"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("  search +" + searches.get(1) + " +" + searches.get(1)));
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(90));

        JsonNode j = json("results", "compare", a, b, "--json");
        for (JsonNode row : j.get("rows")) {
            assertThat(row.get("differs").asBoolean()).as(row.toString()).isEqualTo(!row.get("a").asText().equals(row.get("b").asText()));
        }
        Run same = run("results", "compare", a, a);
        int rows = json("results", "compare", a, a, "--json").get("rows").size();
        List<String> sameLines = same.out().lines().toList();
        assertThat(sameLines.getLast()).isEqualTo("* 0 of " + rows + " rows differ");
        assertThat(sameLines.subList(0, sameLines.size() - 1)).noneSatisfy(l -> assertThat(l).startsWith("*"));
    }

    // ------------------------------------------------------------------ top

    @Test
    void topAcrossSearchesIsTheSqlRanking() throws Exception {
        JsonNode top = json("results", "top", "-n", "15", "--json");
        QueryResult expected = sql("SELECT id FROM trial WHERE (status = 'ok' OR (status = 'cached' AND cached_from_trial_id IS NULL))"
                + " AND val_loss IS NOT NULL ORDER BY val_loss, id LIMIT 15");
        List<Long> ids = new ArrayList<>();
        top.forEach(t -> ids.add(t.get("id").asLong()));
        assertThat(ids).isEqualTo(expected.rows().stream().map(row -> num(row.getFirst())).toList());
    }

    // ------------------------------------------------------------------ pareto

    @Test
    void paretoOfASearchWithoutGoalsIsTheSchemaView() throws Exception {
        long s = searches.get(1); // synthetic-2 names no objectives or constraints
        JsonNode j = json("results", "pareto", "--search", Long.toString(s), "--json");
        assertThat(j.get("objectives").toString()).isEqualTo("[\"val_loss:min\",\"params:min\"]");
        Set<Long> ids = new HashSet<>();
        j.get("front").forEach(p -> ids.add(p.get("id").asLong()));
        Set<Long> view = new HashSet<>();
        sql("SELECT trial_id FROM pareto_front WHERE search_id = " + s).rows().forEach(row -> view.add(num(row.getFirst())));
        assertThat(ids).isNotEmpty().isEqualTo(view);
    }

    @Test
    void paretoUsesTheSearchsObjectivesAndNeverShowsAViolator() throws Exception {
        long s = searches.get(2); // val_loss:min,params:min,flops_per_token:min with params<=400000
        JsonNode j = json("results", "pareto", "--search", Long.toString(s), "--json");
        assertThat(j.get("objectives").toString()).isEqualTo("[\"val_loss:min\",\"params:min\",\"flops_per_token:min\"]");
        assertThat(j.get("constraints").toString()).isEqualTo("[\"params<=400000\"]");
        long violating = num(sql("SELECT COUNT(*) FROM trial WHERE search_id = " + s + " AND status IN ('ok', 'cached') AND params > 400000")
                .rows().getFirst().getFirst());
        assertThat(j.get("violating").asLong()).isEqualTo(violating).isPositive();

        // The front, by the definition, over every feasible trial's three metrics read with SQL.
        Map<Long, double[]> feasible = new HashMap<>();
        for (List<Object> row : sql("""
                SELECT t.id, t.val_loss, t.params, m.metric_value FROM trial t JOIN metric m ON m.trial_id = t.id AND m.name = 'flops_per_token'
                WHERE t.search_id = %d AND t.status IN ('ok', 'cached') AND t.params <= 400000""".formatted(s)).rows()) {
            feasible.put(num(row.get(0)), new double[] {((Number) row.get(1)).doubleValue(), num(row.get(2)), ((Number) row.get(3)).doubleValue()});
        }
        Set<Long> expected = new HashSet<>();
        feasible.forEach((id, v) -> {
            if (feasible.values().stream().noneMatch(o -> ParetoFront.dominates(o, v))) expected.add(id);
        });
        Set<Long> got = new HashSet<>();
        j.get("front").forEach(p -> {
            got.add(p.get("id").asLong());
            assertThat(p.get("params").asLong()).isLessThanOrEqualTo(400_000);
        });
        assertThat(got).isNotEmpty().isEqualTo(expected);

        Run table = run("results", "pareto", "--search", Long.toString(s), "--width", "100");
        assertThat(table.out().lines().toList().getFirst()).isEqualTo("search " + s + ": " + got.size() + " trials on the Pareto front of "
                + feasible.size() + " feasible (" + violating + " violate the constraints)");
        assertThat(table.out().lines().toList().get(1)).isEqualTo("objectives val_loss:min, params:min, flops_per_token:min; constraints params<=400000");
        assertThat(table.out().lines().toList().get(2)).matches("id +# +val_loss +params +flops_per_token +architecture");
        assertThat(table.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    }

    @Test
    void paretoObjectivesFromTheCommandLineAndBadOnes() throws Exception {
        long s = searches.get(0);
        JsonNode j = json("results", "pareto", "--search", Long.toString(s), "--objectives", "val_accuracy:max,train_seconds:min", "--json");
        assertThat(j.get("objectives").toString()).isEqualTo("[\"val_accuracy:max\",\"train_seconds:min\"]");
        assertThat(j.get("front").get(0).get("val_accuracy").asDouble()).isGreaterThan(0);

        Run unknown = run("results", "pareto", "--search", Long.toString(s), "--objectives", "val_loss,nope:max");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("strata: unknown metric 'nope' in the objectives of search " + s + " (its trials have: baseline_loss, ")
                .hasLineCount(1);
        Run malformed = run("results", "pareto", "--objectives", "val_loss:lowest");
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.err()).isEqualTo("strata: objective 'val_loss:lowest': direction must be min or max" + System.lineSeparator());
        Run noSearch = run("results", "pareto", "--search", "77");
        assertThat(noSearch.code()).isEqualTo(2);
        assertThat(noSearch.err()).startsWith("strata: no search with id 77");
    }

    // ------------------------------------------------------------------ components

    @Test
    void componentsOfASearchAreTheSchemaView() throws Exception {
        long s = searches.get(0);
        JsonNode j = json("results", "components", "--search", Long.toString(s), "--json");
        QueryResult view = sql("SELECT kind, component_id, trials, mean_val_loss, best_val_loss, mean_params FROM component_stats WHERE search_id = " + s);
        assertThat(j.size()).isEqualTo(view.rows().size()).isGreaterThan(15);
        Map<String, List<Object>> byKey = new HashMap<>();
        view.rows().forEach(row -> byKey.put(row.get(0) + "/" + row.get(1), row));
        for (JsonNode c : j) {
            List<Object> row = byKey.get(c.get("kind").asText() + "/" + c.get("component").asText());
            assertThat(row).as(c.toString()).isNotNull();
            assertThat(c.get("trials").asLong()).isEqualTo(num(row.get(2)));
            assertThat(c.get("mean_val_loss").asDouble()).isCloseTo(((Number) row.get(3)).doubleValue(), within(1e-9));
            assertThat(c.get("best_val_loss").asDouble()).isEqualTo(((Number) row.get(4)).doubleValue());
            assertThat(c.get("mean_params").asDouble()).isCloseTo(((Number) row.get(5)).doubleValue(), within(1e-6));
        }
        Run table = run("results", "components", "--search", Long.toString(s));
        List<String> lines = table.out().lines().toList();
        assertThat(lines.getFirst()).matches("kind +component +trials +mean_val_loss +best_val_loss +mean_params");
        assertThat(lines.get(2)).startsWith("token_mixer");
        assertThat(lines.getLast()).startsWith("final_norm");

        JsonNode all = json("results", "components", "--json");
        long mhaAll = 0;
        for (JsonNode c : all) if (c.get("kind").asText().equals("token_mixer") && c.get("component").asText().equals("attention.mha")) mhaAll = c.get("trials").asLong();
        long expected = num(sql("SELECT COUNT(DISTINCT c.trial_id) FROM trial_component c JOIN trial t ON t.id = c.trial_id"
                + " WHERE c.slot = 'token_mixer' AND c.component_id = 'attention.mha' AND t.status = 'ok'").rows().getFirst().getFirst());
        assertThat(mhaAll).isEqualTo(expected).isPositive();
    }

    // ------------------------------------------------------------------ export

    @Test
    void exportCsvAndJsonHoldEveryTrialWithItsMetrics() throws Exception {
        long s = searches.get(0);
        Path csv = dir.resolve("out/trials.csv");
        Run r = run("results", "export", "--format", "csv", "--search", Long.toString(s), "--out", csv.toString());
        assertThat(r.code()).as(r.err()).isZero();
        long trials = num(sql("SELECT COUNT(*) FROM trial WHERE search_id = " + s).rows().getFirst().getFirst());
        assertThat(r.err()).isEqualTo("wrote " + trials + " trials to " + csv + System.lineSeparator());
        List<Map<String, String>> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = new CsvMapper().readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(csv.toFile())) {
            it.forEachRemaining(rows::add);
        }
        assertThat(rows).hasSize((int) trials);
        assertThat(rows.getFirst().keySet()).startsWith("id", "search_id", "ordinal").contains("val_loss", "params", "flops_per_token", "architecture");
        Map<String, String> failed = rows.stream().filter(x -> x.get("status").equals("failed")).findFirst().orElseThrow();
        assertThat(failed.get("val_loss")).isEmpty();
        assertThat(failed.get("error")).startsWith("loss became NaN");
        Map<String, String> ok = rows.stream().filter(x -> x.get("status").equals("ok")).findFirst().orElseThrow();
        double loss = ((Number) sql("SELECT val_loss FROM trial WHERE id = " + ok.get("id")).rows().getFirst().getFirst()).doubleValue();
        assertThat(Double.parseDouble(ok.get("val_loss"))).isEqualTo(loss);
        assertThat(JSON.readTree(ok.get("architecture")).get("layers").isArray()).isTrue();

        JsonNode j = json("results", "export", "--format", "json");
        assertThat(j.size()).isEqualTo(150);
        assertThat(j.get(0).get("metrics").has("val_loss") || j.get(0).get("status").asText().equals("failed")).isTrue();
        assertThat(j.get(0).get("architecture").get("d_model").asInt()).isPositive();
    }

    // ------------------------------------------------------------------ plots

    @Test
    void plotsAreValidPngAndSvgWithEveryPoint() throws Exception {
        long s = searches.get(1);
        Path out = dir.resolve("plots");
        int finished = (int) num(sql("SELECT COUNT(*) FROM trial WHERE search_id = " + s + " AND status IN ('ok', 'cached')").rows().getFirst().getFirst());
        for (String kind : List.of("progress", "pareto", "curves", "components")) {
            Run r = run("results", "plot", kind, "--search", Long.toString(s), "--out", out.toString());
            assertThat(r.code()).as(kind + ": " + r.err()).isZero();
        }
        List<String> names = List.of("progress", "progress-time", "pareto", "curves", "components-token_mixer", "components-channel_mixer",
                "components-norm", "components-residual", "components-final_norm");
        for (String name : names) {
            BufferedImage png = ImageIO.read(out.resolve(name + ".png").toFile());
            assertThat(png).as(name).isNotNull();
            assertThat(png.getWidth()).isEqualTo(Plots.WIDTH);
            assertThat(png.getHeight()).isEqualTo(Plots.HEIGHT);
            Document svg = svg(out.resolve(name + ".svg"));
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(svg.getDocumentElement().getAttribute("width")).isEqualTo(Plots.WIDTH + "px");
        }
        // Each finished trial is one circle marker, plus the one in the legend.
        assertThat(svg(out.resolve("progress.svg")).getElementsByTagName("ellipse").getLength()).isEqualTo(finished + 1);
        assertThat(svg(out.resolve("pareto.svg")).getElementsByTagName("ellipse").getLength()).isEqualTo(finished + 1);
        // Curves: the best five trials, a marker on each of their 5 validation points and one per trial in the legend.
        assertThat(svg(out.resolve("curves.svg")).getElementsByTagName("ellipse").getLength()).isEqualTo(5 * 5 + 5);

        Run json = run("results", "plot", "curves", "--search", Long.toString(s), "--trials", "1,2", "--out", out.resolve("two").toString(), "--json");
        assertThat(JSON.readTree(json.out()).toString()).isEqualTo("[\"" + out.resolve("two/curves.png") + "\",\"" + out.resolve("two/curves.svg") + "\"]");
        Run bad = run("results", "plot", "histogram", "--out", out.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("expected one of [progress, pareto, curves, components]");
    }

    @Test
    void theChartsHaveTheExpectedSeries() {
        var progress = Plots.progressByTrial(1, List.of(
                new dev.strata.core.results.ResultsReader.ProgressPoint(1, 1, "ok", 2.0, 10),
                new dev.strata.core.results.ResultsReader.ProgressPoint(2, 2, "failed", Double.NaN, 20),
                new dev.strata.core.results.ResultsReader.ProgressPoint(3, 3, "ok", 1.0, 30),
                new dev.strata.core.results.ResultsReader.ProgressPoint(4, 4, "ok", 1.5, 40)));
        assertThat(progress.getSeriesMap().keySet()).containsExactly("trial", "best so far");
        assertThat(progress.getSeriesMap().get("best so far").getYData()).containsExactly(2.0, 1.0, 1.0);
        assertThat(progress.getSeriesMap().get("trial").getXData()).containsExactly(1.0, 3.0, 4.0);
    }

    private static Document svg(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(Files.newInputStream(file));
    }
}
