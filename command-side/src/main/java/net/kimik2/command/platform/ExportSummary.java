package net.kimik2.command.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The readable summary of an export: a few lines per part and counts, never the full content. */
public final class ExportSummary {

    private static final int MAX_LINES = 200;

    private final List<String> lines = new ArrayList<>();
    private final Map<String, Long> counts = new TreeMap<>();

    /** Adds a readable line (bounded: a summary, not a copy of the export). */
    public void line(String text) {
        if (lines.size() < MAX_LINES) {
            lines.add(text);
        }
    }

    public void count(String what, long n) {
        counts.merge(what, n, Long::sum);
    }

    public String render(String header) {
        StringBuilder out = new StringBuilder(header).append("\n\n");
        lines.forEach(l -> out.append(l).append('\n'));
        out.append("\nCounts\n");
        counts.forEach((k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
        out.append("\nThe complete, machine-readable data is in export.json (JSON, UTF-8).\n");
        return out.toString();
    }
}
