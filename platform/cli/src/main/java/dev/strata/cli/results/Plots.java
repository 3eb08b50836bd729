package dev.strata.cli.results;

import dev.strata.core.results.ParetoFront;
import dev.strata.core.results.ParetoQuery;
import dev.strata.core.results.ResultsReader.ComponentValue;
import dev.strata.core.results.ResultsReader.ProgressPoint;
import dev.strata.core.training.CurvePoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of {@code strata results plot}, drawn with XChart and written twice: PNG (Java2D) and
 * SVG (VectorGraphics2D). Headless: no display is needed.
 */
final class Plots {

    static final int WIDTH = 900;
    static final int HEIGHT = 560;

    /** Trials plotted by {@code curves} when none are named: the best of the search. */
    static final int DEFAULT_CURVES = 5;

    private static final Color TRIAL = new Color(120, 144, 180, 150);
    /** One colour per trial of a curves chart (its validation and training curve share it). */
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127), new Color(188, 189, 34),
            new Color(23, 190, 207)};
    private static final Color BEST = new Color(200, 60, 40);

    private Plots() {}

    /** Best-so-far validation loss against trials started; each finished trial a point. */
    static XYChart progressByTrial(long searchId, List<ProgressPoint> points) {
        XYChart chart = xy("search " + searchId + ": progress by trial", "trial (order started)", "validation loss");
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Double> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (ProgressPoint p : points) {
            if (!Double.isFinite(p.valLoss())) continue;
            x.add((double) p.ordinal());
            y.add(p.valLoss());
            best = Math.min(best, p.valLoss());
            bx.add((double) p.ordinal());
            by.add(best);
        }
        scatter(chart, "trial", x, y);
        line(chart, "best so far", bx, by, BEST, true);
        return chart;
    }

    /** Best-so-far validation loss against minutes since the search started (by finish time). */
    static XYChart progressByTime(long searchId, List<ProgressPoint> points) {
        XYChart chart = xy("search " + searchId + ": progress over time", "minutes since the search started", "validation loss");
        List<ProgressPoint> done = new ArrayList<>(points.stream().filter(p -> Double.isFinite(p.valLoss()) && Double.isFinite(p.secondsSinceStart())).toList());
        done.sort(java.util.Comparator.comparingDouble(ProgressPoint::secondsSinceStart));
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Double> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (ProgressPoint p : done) {
            double minutes = p.secondsSinceStart() / 60.0;
            x.add(minutes);
            y.add(p.valLoss());
            best = Math.min(best, p.valLoss());
            bx.add(minutes);
            by.add(best);
        }
        scatter(chart, "trial", x, y);
        line(chart, "best so far", bx, by, BEST, true);
        return chart;
    }

    /** The feasible trials on the first two objectives, the front drawn over them. */
    static XYChart pareto(ParetoQuery.Result r) {
        String xName = r.objectives().get(0).toString();
        String yName = r.objectives().size() > 1 ? r.objectives().get(1).toString() : "trial";
        String more = r.objectives().size() > 2 ? " (first 2 of " + r.objectives().size() + " objectives)" : "";
        XYChart chart = xy("search " + r.searchId() + ": Pareto front" + more, xName, yName);
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        int i = 0;
        for (Map.Entry<Long, double[]> e : r.candidates().entrySet()) {
            double[] v = e.getValue();
            x.add(v[0]);
            y.add(v.length > 1 ? v[1] : ++i);
        }
        scatter(chart, "feasible trial", x, y);
        List<double[]> front = new ArrayList<>();
        int j = 0;
        for (ParetoFront.Point p : r.front()) front.add(new double[] {p.values()[0], p.values().length > 1 ? p.values()[1] : ++j});
        front.sort(java.util.Comparator.comparingDouble((double[] v) -> v[0]).thenComparingDouble(v -> v[1]));
        line(chart, "Pareto front", front.stream().map(v -> v[0]).toList(), front.stream().map(v -> v[1]).toList(), BEST, false);
        XYSeries frontSeries = chart.getSeriesMap().get("Pareto front");
        if (frontSeries != null) frontSeries.setMarker(SeriesMarkers.DIAMOND);
        return chart;
    }

    /** Validation (and training) loss against step for each trial. */
    static XYChart curves(long searchId, Map<Long, List<CurvePoint>> curves) {
        XYChart chart = xy("search " + searchId + ": training curves", "step", "loss");
        int n = 0;
        for (Map.Entry<Long, List<CurvePoint>> e : curves.entrySet()) {
            Color color = PALETTE[n++ % PALETTE.length];
            for (String split : List.of("val", "train")) {
                List<CurvePoint> pts = e.getValue().stream().filter(p -> p.split().equals(split) && Double.isFinite(p.loss())).toList();
                if (pts.isEmpty()) continue;
                XYSeries s = chart.addSeries("trial " + e.getKey() + " " + split, pts.stream().map(p -> (double) p.step()).toList(),
                        pts.stream().map(CurvePoint::loss).toList());
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setLineColor(color);
                s.setMarkerColor(color);
                if (split.equals("train")) {
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                } else {
                    s.setMarker(SeriesMarkers.CIRCLE);
                }
            }
        }
        return chart;
    }

    /** Per kind, one box per component: the distribution of validation loss of the trials using it. */
    static Map<String, BoxChart> components(long searchIdOrAll, boolean all, List<ComponentValue> values) {
        Map<String, Map<String, List<Double>>> byKind = new LinkedHashMap<>();
        for (ComponentValue v : values) {
            byKind.computeIfAbsent(v.kind(), k -> new java.util.TreeMap<>()).computeIfAbsent(v.component(), k -> new ArrayList<>()).add(v.valLoss());
        }
        List<String> kinds = new ArrayList<>(byKind.keySet());
        kinds.sort((a, b) -> Integer.compare(kindOrder(a), kindOrder(b)));
        Map<String, BoxChart> out = new LinkedHashMap<>();
        for (String kind : kinds) {
            BoxChart chart = new BoxChartBuilder().width(WIDTH).height(HEIGHT)
                    .title((all ? "all searches" : "search " + searchIdOrAll) + ": validation loss by " + kind)
                    .xAxisTitle(kind).yAxisTitle("validation loss").build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setPlotContentSize(0.9);
            chart.getStyler().setXAxisLabelRotation(30);
            chart.getStyler().setYAxisDecimalPattern("#,##0.###");
            for (Map.Entry<String, List<Double>> e : byKind.get(kind).entrySet()) {
                chart.addSeries(e.getKey() + " (n=" + e.getValue().size() + ")", e.getValue());
            }
            out.put(kind, chart);
        }
        return out;
    }

    private static int kindOrder(String kind) {
        int i = List.of("token_mixer", "channel_mixer", "norm", "residual", "final_norm").indexOf(kind);
        return i < 0 ? 99 : i;
    }

    /** Writes {@code name.png} and {@code name.svg} into {@code dir}; returns both paths. */
    static List<Path> write(Chart<?, ?> chart, Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Path png = dir.resolve(name + ".png");
            Path svg = dir.resolve(name + ".svg");
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return List.of(png, svg);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.resolve(name) + ".png|.svg: " + e.getMessage(), e);
        }
    }

    private static XYChart xy(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        XYStyler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setMarkerSize(5);
        s.setXAxisDecimalPattern("#,##0.###");
        s.setYAxisDecimalPattern("#,##0.###");
        return chart;
    }

    private static void scatter(XYChart chart, String name, List<Double> x, List<Double> y) {
        if (x.isEmpty()) return;
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(TRIAL);
    }

    private static void line(XYChart chart, String name, List<Double> x, List<Double> y, Color color, boolean step) {
        if (x.isEmpty()) return;
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(step ? XYSeries.XYSeriesRenderStyle.Step : XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineWidth(2f);
    }
}
