package net.kimik2.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run found: one result row per measured figure (per second, and as a ratio to {@code ping} of the same run),
 * details per scenario, problems (a failed request or check: the run is not appended to the run log) and notes. The
 * number formats live here, once.
 */
final class Report {

    /**
     * One figure: {@code perSecond} in {@code unit}; {@code latency} names what {@code p50}/{@code p99} (ms) time;
     * {@code cpuOther} the cores other processes took meanwhile; {@code check} what was verified.
     */
    record Row(String scenario, String what, double perSecond, String unit, String latency, double p50, double p99,
               double cpuOther, String check) {
    }

    private final String title;
    private final List<String> header = new ArrayList<>();
    private final List<Row> rows = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Map<String, String>> details = new LinkedHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    Report(String title) {
        this.title = title;
    }

    void header(String line) {
        header.add(line);
    }

    void row(Row row) {
        rows.add(row);
        System.out.printf(Locale.ROOT, "%-12s %-50s %s, %s p50 %s p99 %s, other processes %s cores; %s%n", row.scenario(),
                row.what(), rate(row.perSecond(), row.unit()), row.latency(), millis(row.p50()), millis(row.p99()),
                cores(row.cpuOther()), row.check());
    }

    void detail(String scenario, String key, String value) {
        synchronized (details) {
            details.computeIfAbsent(scenario, s -> new LinkedHashMap<>()).put(key, value);
        }
        System.out.println(scenario + ": " + key + ": " + value);
    }

    void problem(String problem) {
        problems.add(problem);
        System.out.println("PROBLEM: " + problem);
    }

    void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    boolean failed() {
        return !problems.isEmpty();
    }

    /**
     * Per second of the first row named {@code ping} (or {@code <configuration>: ping}, see {@link #absorb}) in this
     * run; NaN when the run measured none.
     */
    double pingPerSecond() {
        synchronized (rows) {
            return rows.stream().filter(r -> r.scenario().equals("ping") || r.scenario().endsWith(": ping"))
                    .mapToDouble(Row::perSecond).findFirst().orElse(Double.NaN);
        }
    }

    /**
     * Takes over what {@code other} (one configuration of a run that compares several, e.g. H2 vs PostgreSQL) found,
     * each row and detail named {@code <configuration>: <scenario>}; each row's check also gets its ratio to the ping
     * of its own configuration, so a figure can be read against both yardsticks.
     */
    void absorb(String configuration, Report other) {
        double ownPing = other.pingPerSecond();
        synchronized (other.rows) {
            for (Row r : other.rows) {
                String own = Double.isNaN(ownPing) || Double.isNaN(r.perSecond()) ? ""
                        : "; " + ratio(r.perSecond() / ownPing) + " of this configuration's ping";
                rows.add(new Row(configuration + ": " + r.scenario(), r.what(), r.perSecond(), r.unit(), r.latency(),
                        r.p50(), r.p99(), r.cpuOther(), r.check() + own));
            }
        }
        synchronized (other.details) {
            other.details.forEach((scenario, figures) -> figures.forEach((k, v) -> detail(configuration + ": " + scenario, k, v)));
        }
        other.problems.forEach(p -> problem(configuration + ": " + p));
        other.notes.forEach(n -> note(configuration + ": " + n));
    }

    String markdown() {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        StringBuilder md = new StringBuilder("### ").append(title).append(' ').append(now)
                .append(failed() ? " (FAILED)" : "").append("\n\n");
        header.forEach(h -> md.append("- ").append(h).append('\n'));
        double ping = pingPerSecond();
        if (!rows.isEmpty()) {
            md.append("\n| scenario | what | per second | ratio to ping | latency | p50 | p99 | CPU other processes | checked |\n")
                    .append("|---|---|---|---|---|---|---|---|---|\n");
            for (Row r : rows) {
                md.append("| ").append(r.scenario()).append(" | ").append(cell(r.what())).append(" | ")
                        .append(rate(r.perSecond(), r.unit())).append(" | ")
                        .append(Double.isNaN(ping) || Double.isNaN(r.perSecond()) ? "n/a" : ratio(r.perSecond() / ping))
                        .append(" | ").append(cell(r.latency())).append(" | ").append(millis(r.p50())).append(" | ")
                        .append(millis(r.p99())).append(" | ").append(cores(r.cpuOther())).append(" | ")
                        .append(cell(r.check())).append(" |\n");
            }
        }
        details.forEach((scenario, figures) -> {
            md.append("\n").append(scenario).append(":\n\n| metric | value |\n|---|---|\n");
            figures.forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
        });
        if (!problems.isEmpty()) {
            md.append("\nProblems:\n");
            problems.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n");
            notes.stream().limit(20).forEach(p -> md.append("- ").append(p).append('\n'));
        }
        return md.toString();
    }

    /** Prints the summary and appends it to {@code out} (unless {@code append} is false or the run failed). */
    int publish(Path out, boolean append) throws IOException {
        String summary = markdown();
        System.out.println();
        System.out.println(summary);
        if (failed()) {
            System.out.println("NOT appended to " + out + " because of the problems above.");
            return 1;
        }
        if (append) {
            Files.writeString(out, "\n" + summary, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            System.out.println("appended to " + out);
        } else {
            System.out.println("not appended (append=false)");
        }
        return 0;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    // ---------------------------------------------------------------- numbers

    /** Nearest-rank percentile of sorted nanoseconds, in milliseconds; NaN for none. */
    static double percentileMillis(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    static long[] sorted(List<Long> nanos) {
        long[] out = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(out);
        return out;
    }

    /** "p50 / p90 / p99 / max" of sorted nanoseconds. */
    static String latencies(long[] sortedNanos) {
        return millis(percentileMillis(sortedNanos, 0.5)) + " / " + millis(percentileMillis(sortedNanos, 0.9)) + " / "
                + millis(percentileMillis(sortedNanos, 0.99)) + " / " + millis(percentileMillis(sortedNanos, 1.0));
    }

    /** Median of the values; the mean of the middle two for an even count; NaN for none. */
    static double median(double... values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** "median (min - max)". */
    static String spread(double[] values, java.util.function.DoubleFunction<String> format) {
        double[] v = Arrays.stream(values).sorted().toArray();
        return v.length == 0 ? "n/a" : format.apply(median(v)) + " (" + format.apply(v[0]) + " - "
                + format.apply(v[v.length - 1]) + ")";
    }

    static String millis(double ms) {
        return Double.isNaN(ms) ? "n/a" : String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.0f ms", ms);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String rate(double perSecond, String unit) {
        return Double.isNaN(perSecond) ? "n/a"
                : String.format(Locale.ROOT, perSecond < 100 ? "%.1f %s" : "%.0f %s", perSecond, unit);
    }

    static String ratio(double value) {
        return String.format(Locale.ROOT, value < 0.01 ? "%.5f" : "%.3f", value);
    }

    static String cores(double cores) {
        return Double.isNaN(cores) ? "n/a" : String.format(Locale.ROOT, "%.2f", cores);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f %%", fraction * 100);
    }
}
