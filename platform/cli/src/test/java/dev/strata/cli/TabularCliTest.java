package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata search} on a tabular space and {@code strata bench strategies}. */
class TabularCliTest {

    static Path space(String name) {
        return Path.of(System.getProperty("strata.root", "../.."), "search-spaces", "tabular", name).toAbsolutePath().normalize();
    }

    @TempDir
    Path dir;

    @Test
    void searchReplaysATabularSpace() {
        Cli r = Cli.run("search", space("micro-class_object.yaml").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("tabular replay micro-class_object: guided-evolution on transnas101-micro.csv")
                .containsPattern("best [0-3](-[0-3]){5}: class_object [0-9.]+ \\(table best 45.5862\\)")
                .containsPattern("within 0.5 of the table's best: after [0-9]+ evaluations");
        Cli again = Cli.run("search", space("micro-class_object.yaml").toString());
        assertThat(again.out().lines().limit(3).toList()).isEqualTo(r.out().lines().limit(3).toList());
    }

    @Test
    void twoWorkersAreKeptBusyDuringATabularReplay() {
        Cli r = Cli.run("search", space("micro-jigsaw.yaml").toString(), "--workers", "2", "--eval-ms", "5");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("2 worker\\(s\\), 5 ms per evaluation: worker utilisation ([\\d.]+)%").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isGreaterThan(80);
        assertThat(r.out()).contains("600 evaluations");
    }

    @Test
    void benchStrategiesPrintsJson() throws Exception {
        Cli r = Cli.run("bench", "strategies", space("micro-class_scene.yaml").toString(), "--seeds", "10", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertThat(rows.isArray()).isTrue();
        assertThat(rows).hasSize(4);
        int defaults = 0;
        for (JsonNode row : rows) {
            assertThat(row.has("strategy") && row.has("default") && row.has("median") && row.has("p90") && row.has("succeeded") && row.has("runs")).as(row.toString()).isTrue();
            assertThat(row.get("runs").asInt()).isEqualTo(10);
            assertThat(row.get("succeeded").asInt()).isBetween(0, 10);
            if (row.get("default").asBoolean()) {
                defaults++;
                assertThat(row.get("strategy").asText()).isEqualTo("guided-evolution");
            }
        }
        assertThat(defaults).isEqualTo(1);
        Cli one = Cli.run("bench", "strategies", space("micro-class_scene.yaml").toString(), "--seeds", "5", "--strategy", "random");
        assertThat(one.exitCode()).as(one.toString()).isZero();
        assertThat(one.out()).contains("random").doesNotContain("local-search").contains("/5");
    }

    @Test
    void badTabularInputIsOneLine() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "kind: tabular\ntable: nope.csv\nmetric: m\ngenes: {count: 2, values: [0, 1]}\n");
        Cli r = Cli.run("search", f.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).startsWith("strata: " + f + ":2: table: no such file").doesNotContain("\n");
        Cli u = Cli.run("bench", "strategies", space("micro-jigsaw.yaml").toString(), "--strategy", "annealing");
        assertThat(u.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
