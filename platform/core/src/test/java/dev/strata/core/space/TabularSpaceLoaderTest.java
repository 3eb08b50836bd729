package dev.strata.core.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularSpaceLoaderTest {

    /** The exact form of issue 4. */
    static final String ISSUE_FORM = """
            kind: tabular
            table: tables/transnas101-micro.csv   # relative to this YAML file's folder; absolute works too
            metric: class_object        # a column of the table
            goal: maximize
            genes: {count: 6, values: [0, 1, 2, 3]}   # arch key = gene values joined by '-'
            strategy: {name: regularized-evolution, population: 50, tournament: 10}
            budget: {evaluations: 600}
            seed: 1
            """;

    static Path micro() {
        return Path.of(System.getProperty("strata.root", "../.."), "search-spaces", "tabular", "tables", "transnas101-micro.csv").toAbsolutePath().normalize();
    }

    @TempDir
    Path dir;

    private final TabularSpaceLoader loader = new TabularSpaceLoader();

    private Path space(String yaml) throws Exception {
        Files.createDirectories(dir.resolve("tables"));
        if (!Files.exists(dir.resolve("tables/transnas101-micro.csv"))) Files.copy(micro(), dir.resolve("tables/transnas101-micro.csv"));
        Path f = dir.resolve("space.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private Path table(String csv) throws Exception {
        Path t = dir.resolve("t.csv");
        Files.writeString(t, csv);
        return t;
    }

    @Test
    void loadsTheIssueFormWithATableRelativeToTheYaml() throws Exception {
        Path f = space(ISSUE_FORM);
        assertThat(TabularSpaceLoader.isTabular(f)).isTrue();
        TabularSpace s = loader.load(f);
        assertThat(s.table()).isEqualTo(dir.resolve("tables/transnas101-micro.csv").toAbsolutePath());
        assertThat(s.metric()).isEqualTo("class_object");
        assertThat(s.maximize()).isTrue();
        assertThat(s.genes()).isEqualTo(new TabularSpace.Genes(6, 6, java.util.List.of("0", "1", "2", "3")));
        assertThat(s.strategy().name()).isEqualTo("regularized-evolution");
        assertThat(s.strategy().population()).isEqualTo(50);
        assertThat(s.strategy().tournament()).isEqualTo(10);
        assertThat(s.budget()).isEqualTo(600);
        assertThat(s.seed()).isEqualTo(1);
        assertThat(s.rows()).isEqualTo(4096);
        assertThat(s.values()).hasSize(4096).containsEntry("0-0-0-0-0-0", 26.5476);
        assertThat(s.tableBest()).isEqualTo(45.5862);
    }

    @Test
    void anAbsoluteTablePathAndTheDefaultStrategy() throws Exception {
        Path f = space(ISSUE_FORM.replace("tables/transnas101-micro.csv", micro().toString()).replace("name: regularized-evolution, ", ""));
        TabularSpace s = loader.load(f);
        assertThat(s.table()).isEqualTo(micro());
        assertThat(s.strategy().name()).isEqualTo(TabularSpace.DEFAULT_STRATEGY);
        assertThat(SearchSpaceLoaderTest.class).isNotNull();
    }

    @Test
    void aTrainingSpaceIsNotTabular() throws Exception {
        Path f = SpaceFixtures.write(dir, "t.yaml", SearchSpaceLoaderTest.VALID);
        assertThat(TabularSpaceLoader.isTabular(f)).isFalse();
    }

    @Test
    void aMissingTableNamesTheLineOfTable() throws Exception {
        Path f = space(ISSUE_FORM.replace("tables/transnas101-micro.csv", "tables/nope.csv"));
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(SpaceException.class)
                .hasMessageStartingWith(f + ":2: table: no such file").hasMessageNotContaining("\n");
    }

    @Test
    void anUnknownMetricNamesTheColumns() throws Exception {
        Path f = space(ISSUE_FORM.replace("metric: class_object", "metric: accuracy"));
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(SpaceException.class)
                .hasMessage(f + ":3: metric: no column 'accuracy' in transnas101-micro.csv (columns: class_object, class_scene, jigsaw, room_layout)");
    }

    @Test
    void aRowOutsideTheGenesNamesTheCsvLine() throws Exception {
        Path t = table("arch,m\n0-1,1.0\n0-1-2,2.0\n");
        Path f = space(ISSUE_FORM.replace("tables/transnas101-micro.csv", t.toString()).replace("metric: class_object", "metric: m")
                .replace("count: 6", "count: 2"));
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(SpaceException.class)
                .hasMessage(t + ":3: arch: '0-1-2' has 3 genes, genes.count says 2");
        Path t2 = table("arch,m\n0-1,1.0\n0-7,2.0\n");
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(SpaceException.class)
                .hasMessage(t2 + ":3: arch: '0-7': gene value '7' is not in genes.values [0, 1, 2, 3]");
    }

    @Test
    void aNonNumericMetricNamesTheCsvLineAndColumn() throws Exception {
        Path t = table("arch,m\n0-1,1.0\n1-1,lots\n");
        Path f = space(ISSUE_FORM.replace("tables/transnas101-micro.csv", t.toString()).replace("metric: class_object", "metric: m")
                .replace("count: 6", "count: 2"));
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(SpaceException.class).hasMessage(t + ":3: m: 'lots' is not a number");
    }

    @Test
    void anEmptyMetricCellLeavesTheRowInfeasible() throws Exception {
        Path t = table("arch,m\n0-1,1.0\n1-1,\n");
        Path f = space(ISSUE_FORM.replace("tables/transnas101-micro.csv", t.toString()).replace("metric: class_object", "metric: m")
                .replace("count: 6", "count: 2").replace("population: 50, tournament: 10", "population: 2, tournament: 1"));
        TabularSpace s = loader.load(f);
        assertThat(s.rows()).isEqualTo(2);
        assertThat(s.values()).containsOnlyKeys("0-1");
    }

    @Test
    void variableLengthGenesAndBadSettings() throws Exception {
        Path f = space(ISSUE_FORM.replace("count: 6", "count: {min: 7, max: 6}"));
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ":5: genes.count: expected 1 <= min <= max, got min 7, max 6");
        Path g = space(ISSUE_FORM.replace("regularized-evolution", "simulated-annealing"));
        assertThatThrownBy(() -> loader.load(g)).hasMessageStartingWith(g + ":6: strategy.name: unknown strategy 'simulated-annealing' (known: guided-evolution,");
        Path h = space(ISSUE_FORM.replace("evaluations: 600", "trials: 600"));
        assertThatThrownBy(() -> loader.load(h)).hasMessageStartingWith(h + ":7: budget.trials: unknown key");
        Path i = space(ISSUE_FORM.replace("goal: maximize", "goal: biggest"));
        assertThatThrownBy(() -> loader.load(i)).hasMessage(i + ":4: goal: expected maximize or minimize, got 'biggest'");
    }
}
