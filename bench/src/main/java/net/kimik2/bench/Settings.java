package net.kimik2.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's settings: {@code -Dbench.<key>=value} system properties, overridden by {@code key=value} arguments, each
 * with a default where it is read. What a run read (and the value it used) is kept for its report.
 */
final class Settings {

    private final Map<String, String> given;
    private final Map<String, String> used = new TreeMap<>();

    private Settings(Map<String, String> given) {
        this.given = given;
    }

    static Settings parse(String[] args) {
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
        return new Settings(values);
    }

    String string(String key, String fallback) {
        String value = given.getOrDefault(key, fallback);
        if (value != null) {
            used.put(key, value);
        }
        return value;
    }

    int integer(String key, int fallback) {
        return Integer.parseInt(string(key, Integer.toString(fallback)));
    }

    long number(String key, long fallback) {
        return Long.parseLong(string(key, Long.toString(fallback)));
    }

    double decimal(String key, double fallback) {
        return Double.parseDouble(string(key, Double.toString(fallback)));
    }

    boolean flag(String key, boolean fallback) {
        return Boolean.parseBoolean(string(key, Boolean.toString(fallback)));
    }

    int[] integers(String key, String fallback) {
        return java.util.Arrays.stream(string(key, fallback).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
    }

    /** Every setting read so far with its value (defaults included), e.g. "c=8 n=500". */
    String used() {
        StringBuilder out = new StringBuilder();
        used.forEach((k, v) -> {
            if (!k.equals("command")) { // the command heads the report already
                out.append(out.length() == 0 ? "" : " ").append(k).append('=').append(v);
            }
        });
        return out.toString();
    }
}
