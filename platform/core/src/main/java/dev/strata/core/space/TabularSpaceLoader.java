package dev.strata.core.space;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code kind: tabular} search space and its CSV table. Every problem is one line
 * {@code file:line: key: reason}: the YAML's line for the space, the CSV's line for a bad row.
 */
public final class TabularSpaceLoader {

    private static final List<String> TOP_KEYS = List.of("kind", "name", "description", "table", "metric", "goal", "genes", "strategy", "budget", "seed");
    private static final List<String> STRATEGY_KEYS = List.of("name", "population", "tournament", "candidates");

    /** True when {@code file} is a YAML mapping with {@code kind: tabular}. */
    public static boolean isTabular(Path file) {
        YamlCursor root = YamlCursor.parse(YamlCursor.read(file), file);
        if (!root.isMap()) return false;
        YamlCursor kind = root.entries().get("kind");
        return kind != null && kind.isScalar() && "tabular".equals(String.valueOf(kind.scalar()));
    }

    public TabularSpace load(Path file) {
        YamlCursor root = YamlCursor.parse(YamlCursor.read(file), file);
        Map<String, YamlCursor> top = root.entriesOnly(TOP_KEYS);
        YamlCursor kind = require(top, "kind", root);
        if (!"tabular".equals(kind.asText())) throw kind.error("expected 'tabular'");
        String name = top.containsKey("name") ? top.get("name").asText() : stripExtension(file.getFileName().toString());
        long seed = top.containsKey("seed") ? top.get("seed").asLong() : 0L;
        boolean maximize = true;
        if (top.containsKey("goal")) {
            String goal = top.get("goal").asText();
            if (!goal.equals("maximize") && !goal.equals("minimize")) throw top.get("goal").error("expected maximize or minimize, got '" + goal + "'");
            maximize = goal.equals("maximize");
        }
        TabularSpace.Genes genes = readGenes(require(top, "genes", root));
        StrategyConfig strategy = readStrategy(top.get("strategy"));
        int budget = 100;
        if (top.containsKey("budget")) {
            Map<String, YamlCursor> b = top.get("budget").entriesOnly(List.of("evaluations"));
            YamlCursor ev = require(b, "evaluations", top.get("budget"));
            budget = ev.asInt();
            if (budget < 1) throw ev.error("must be at least 1");
        }
        if (strategy.population() > budget && !strategy.name().equals(TabularSpace.RANDOM) && !strategy.name().equals(TabularSpace.LOCAL_SEARCH)) {
            throw top.get("strategy").error("population " + strategy.population() + " is larger than the budget " + budget);
        }
        YamlCursor tableNode = require(top, "table", root);
        Path base = file.toAbsolutePath().getParent();
        Path table = base == null ? Path.of(tableNode.asText()) : base.resolve(tableNode.asText()).normalize();
        YamlCursor metricNode = require(top, "metric", root);
        Table t = readTable(table, tableNode, metricNode, genes);
        if (t.values.isEmpty()) throw metricNode.error("the table has no row with a value in column '" + metricNode.asText() + "'");
        return new TabularSpace(name, file, table, metricNode.asText(), maximize, genes, t.values, t.rows, strategy, budget, seed);
    }

    private static TabularSpace.Genes readGenes(YamlCursor node) {
        Map<String, YamlCursor> e = node.entriesOnly(List.of("count", "values"));
        YamlCursor countNode = require(e, "count", node);
        int min;
        int max;
        if (countNode.isMap()) {
            Map<String, YamlCursor> c = countNode.entriesOnly(List.of("min", "max"));
            min = require(c, "min", countNode).asInt();
            max = require(c, "max", countNode).asInt();
        } else {
            min = max = countNode.asInt();
        }
        if (min < 1 || max < min) throw countNode.error("expected 1 <= min <= max, got min " + min + ", max " + max);
        YamlCursor valuesNode = require(e, "values", node);
        List<String> values = new ArrayList<>();
        for (YamlCursor item : valuesNode.items()) {
            String v = item.asText();
            if (v.isEmpty() || v.contains("-") || v.contains(",")) throw item.error("a gene value must be non-empty without '-' or ','");
            if (values.contains(v)) throw item.error("value " + v + " is listed twice");
            values.add(v);
        }
        if (values.size() < 2) throw valuesNode.error("list at least two values");
        return new TabularSpace.Genes(min, max, List.copyOf(values));
    }

    private static StrategyConfig readStrategy(YamlCursor node) {
        Map<String, YamlCursor> e = node == null ? Map.of() : node.entriesOnly(STRATEGY_KEYS);
        String name = e.containsKey("name") ? e.get("name").asText() : TabularSpace.DEFAULT_STRATEGY;
        if (!TabularSpace.STRATEGIES.contains(name)) {
            throw e.get("name").error("unknown strategy '" + name + "' (known: " + String.join(", ", TabularSpace.STRATEGIES) + ")");
        }
        int population = e.containsKey("population") ? e.get("population").asInt() : 50;
        int tournament = e.containsKey("tournament") ? e.get("tournament").asInt() : 10;
        int candidates = e.containsKey("candidates") ? e.get("candidates").asInt() : 4;
        if (population < 2) throw e.get("population").error("population must be at least 2");
        if (tournament < 1 || tournament > population) {
            throw (e.containsKey("tournament") ? e.get("tournament") : node).error("tournament must be in [1, population]");
        }
        if (candidates < 1) throw e.get("candidates").error("candidates must be at least 1");
        return new StrategyConfig(name, population, tournament, candidates);
    }

    private record Table(Map<String, Double> values, int rows) {}

    private static Table readTable(Path table, YamlCursor tableNode, YamlCursor metricNode, TabularSpace.Genes genes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (NoSuchFileException ex) {
            throw tableNode.error("no such file " + table);
        } catch (IOException ex) {
            throw tableNode.error("cannot read " + table + ": " + ex.getMessage());
        }
        if (lines.isEmpty()) throw tableNode.error(table + " is empty");
        List<String> header = Arrays.stream(lines.getFirst().split(",", -1)).map(String::strip).toList();
        if (!header.getFirst().equals("arch")) throw new SpaceException(table, 1, "arch", "the first column must be 'arch', got '" + header.getFirst() + "'");
        String metric = metricNode.asText();
        int col = header.indexOf(metric);
        if (col <= 0) {
            throw metricNode.error("no column '" + metric + "' in " + table.getFileName() + " (columns: " + String.join(", ", header.subList(1, header.size())) + ")");
        }
        Set<String> allowed = new HashSet<>(genes.values());
        Map<String, Double> values = new LinkedHashMap<>();
        Set<String> archs = new HashSet<>();
        int rows = 0;
        for (int i = 1; i < lines.size(); i++) {
            int line = i + 1;
            String text = lines.get(i);
            if (text.isBlank()) continue;
            String[] cells = text.split(",", -1);
            if (cells.length != header.size()) throw new SpaceException(table, line, null, "expected " + header.size() + " cells, got " + cells.length);
            String arch = cells[0].strip();
            String[] parts = arch.split("-", -1);
            if (parts.length < genes.minCount() || parts.length > genes.maxCount()) {
                String expected = genes.minCount() == genes.maxCount() ? "" + genes.minCount() : genes.minCount() + " to " + genes.maxCount();
                throw new SpaceException(table, line, "arch", "'" + arch + "' has " + parts.length + " genes, genes.count says " + expected);
            }
            for (String p : parts) {
                if (!allowed.contains(p)) throw new SpaceException(table, line, "arch", "'" + arch + "': gene value '" + p + "' is not in genes.values " + genes.values());
            }
            if (!archs.add(arch)) throw new SpaceException(table, line, "arch", "'" + arch + "' appears twice");
            rows++;
            String cell = cells[col].strip();
            if (cell.isEmpty() || cell.equalsIgnoreCase("nan")) continue; // no value: infeasible
            double v;
            try {
                v = Double.parseDouble(cell);
            } catch (NumberFormatException ex) {
                throw new SpaceException(table, line, metric, "'" + cell + "' is not a number");
            }
            if (!Double.isFinite(v)) throw new SpaceException(table, line, metric, "'" + cell + "' is not a finite number");
            values.put(arch, v);
        }
        return new Table(values, rows);
    }

    private static YamlCursor require(Map<String, YamlCursor> e, String key, YamlCursor parent) {
        YamlCursor v = e.get(key);
        if (v == null) throw parent.error("missing key '" + key + "'");
        return v;
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
