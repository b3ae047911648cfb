package net.kimik2.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Counts warnings and errors in the service's console log, so a run that "worked" but logged errors stands out. */
final class ServiceLog {

    // Spring Boot's console pattern: "<timestamp>  WARN <pid> --- [app] [thread] logger : message"
    private static final Pattern LEVEL = Pattern.compile("^\\S+\\s+(ERROR|WARN)\\s");

    private ServiceLog() {
    }

    static String summarize(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
        int errors = 0;
        int warnings = 0;
        int stackTraces = 0;
        Set<String> distinct = new LinkedHashSet<>();
        for (String line : lines) {
            var m = LEVEL.matcher(line);
            if (m.find()) {
                if (m.group(1).equals("ERROR")) {
                    errors++;
                } else {
                    warnings++;
                }
                // the logger and message without timestamp/pid/thread, to list each kind once
                int colon = line.indexOf(" : ");
                distinct.add(m.group(1) + " " + (colon > 0 ? line.substring(colon + 3) : line));
            } else if (line.startsWith("\tat ")) {
                stackTraces++;
            }
        }
        StringBuilder out = new StringBuilder(errors + " ERROR, " + warnings + " WARN lines"
                + (stackTraces > 0 ? ", " + stackTraces + " stack frames" : ""));
        distinct.stream().limit(5).forEach(d -> out.append("; ").append(d.length() > 160 ? d.substring(0, 160) + "..." : d));
        return out.toString();
    }
}
