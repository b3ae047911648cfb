package net.kimik2.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** A bench's settings: {@code -Dbench.<key>=value} system properties, overridden by {@code key=value} arguments. */
final class BenchArgs {

    private BenchArgs() {
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("bench.")) {
                values.put(k.toString().substring("bench.".length()), v.toString());
            }
        });
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            values.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return values;
    }
}
