package net.kimik2.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's chart as a plain SVG (no charting dependency): five panels over the run's minutes - heap used per node,
 * p99 latency and acknowledged operations per operation and interval, view processor lag, and errors per interval with the machine's load average - with the
 * fault windows (database paused, node killed) shaded in every panel.
 */
final class SoakChart {

    private static final int WIDTH = 960;
    private static final int PANEL = 170;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int GAP = 40;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    private record Series(String name, double[] values) {
    }

    private SoakChart() {
    }

    static void write(Path file, List<SoakScenario.Sample> samples, List<SoakScenario.Fault> faults, List<String> ops,
                      String title) throws IOException {
        double[] t = samples.stream().mapToDouble(s -> s.t() / 60).toArray();
        double tMax = t.length == 0 ? 1 : Math.max(t[t.length - 1], 0.1);
        StringBuilder svg = new StringBuilder();
        int height = TOP + 5 * (PANEL + GAP) + 10;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", WIDTH, height, WIDTH, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
                LEFT, escape(title)));
        List<List<Series>> panels = new ArrayList<>();
        panels.add(List.of(series("node 1", samples, s -> s.heapMiB()[0]), series("node 2", samples, s -> s.heapMiB()[1])));
        List<Series> latency = new ArrayList<>();
        for (String op : ops) {
            latency.add(series(op, samples, s -> s.ops().get(op)[3]));
        }
        panels.add(latency);
        List<Series> counts = new ArrayList<>();
        for (String op : ops) {
            counts.add(series(op, samples, s -> s.ops().get(op)[0]));
        }
        panels.add(counts);
        panels.add(List.of(series("lag", samples, SoakScenario.Sample::lag)));
        panels.add(List.of(series("errors / interval", samples, s -> s.errors()),
                series("load average", samples, SoakScenario.Sample::load1)));
        String[] titles = {"heap used (MiB, jstat)", "p99 latency per interval (ms)", "operations acknowledged per interval",
                "view processor lag (events: head - position)", "errors per interval; machine load average (1 min, 2 cores, shared)"};
        for (int p = 0; p < panels.size(); p++) {
            int y0 = TOP + p * (PANEL + GAP);
            panel(svg, y0, titles[p], t, tMax, panels.get(p), faults);
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg);
    }

    private static Series series(String name, List<SoakScenario.Sample> samples, ToDoubleFunction<SoakScenario.Sample> f) {
        return new Series(name, samples.stream().mapToDouble(f).toArray());
    }

    private static void panel(StringBuilder svg, int y0, String title, double[] t, double tMax, List<Series> series,
                              List<SoakScenario.Fault> faults) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        double yMax = series.stream().flatMapToDouble(s -> Arrays.stream(s.values())).filter(v -> !Double.isNaN(v))
                .max().orElse(1);
        yMax = niceCeiling(Math.max(yMax, 1e-9));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", LEFT, y0 - 6,
                escape(title)));
        for (SoakScenario.Fault f : faults) {
            double x1 = LEFT + plotWidth * Math.min(1, (f.from() / 60) / tMax);
            double x2 = LEFT + plotWidth * Math.min(1, (f.to() / 60) / tMax); // a restart may outlast the run
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                    + "opacity=\"0.25\"><title>%s</title></rect>\n", x1, y0, Math.max(2, x2 - x1), PANEL,
                    f.what().startsWith("database") ? "#ffbf00" : "#ff4040", escape(f.what())));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>\n", LEFT, y0, plotWidth, PANEL));
        for (int i = 0; i <= 4; i++) {
            double v = yMax * i / 4;
            double y = y0 + PANEL - PANEL * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT, y, LEFT + plotWidth, y,
                    LEFT - 4, y + 4, label(v)));
        }
        int ticks = (int) Math.min(10, Math.max(1, Math.floor(tMax)));
        for (int i = 0; i <= ticks; i++) {
            double minute = tMax * i / ticks;
            double x = LEFT + plotWidth * i / (double) ticks;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s min</text>\n",
                    x, y0 + PANEL + 14, label(minute)));
        }
        for (int s = 0; s < series.size(); s++) {
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder points = new StringBuilder();
            double[] v = series.get(s).values();
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) {
                    flush(svg, points, colour); // a gap where there is no figure (node down, no operation)
                    continue;
                }
                double x = LEFT + plotWidth * t[i] / tMax;
                double y = y0 + PANEL - PANEL * Math.min(v[i], yMax) / yMax;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            flush(svg, points, colour);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + plotWidth + 10, y0 + 12 + 16 * s,
                    LEFT + plotWidth + 28, y0 + 12 + 16 * s, colour, LEFT + plotWidth + 32, y0 + 16 + 16 * s,
                    escape(series.get(s).name())));
        }
    }

    private static void flush(StringBuilder svg, StringBuilder points, String colour) {
        if (points.length() > 0) {
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>\n",
                    colour, points.toString().trim()));
            points.setLength(0);
        }
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (v <= step * magnitude) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
