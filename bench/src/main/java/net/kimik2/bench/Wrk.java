package net.kimik2.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.kimik2.testsupport.platform.GraphQlClient;

/**
 * The external load generator wrk, driving POST /graphql with one operation (resources/wrk/graphql.lua checks every
 * response: 2xx, no {@code errors}, the expected value in the body). wrk instead of the JDK client: a C event loop
 * with keep-alive connections costs far less CPU per request than Java clients, so on a 2-core machine more of the
 * CPU goes to the service being measured.
 */
record Wrk(String binary, String version, int threads, int connections, int timeoutSeconds, Path script)
        implements AutoCloseable {

    /** One wrk window: its figures as the Lua script reported them, and the CPU taken meanwhile. */
    record Window(long requests, double rps, long p50Us, long p90Us, long p99Us, long maxUs, long bad, String firstBad,
                  CpuWatch.Usage cpu) {
    }

    /** wrk from {@code wrk} (path, default "wrk" on PATH), {@code threads} (2), {@code connections} (8), {@code timeout} (5 s). */
    static Wrk from(Settings settings) throws IOException {
        String binary = settings.string("wrk", "wrk");
        String version = Machine.run(binary, "--version").lines().findFirst().orElse("").trim();
        if (!version.startsWith("wrk ")) {
            throw new IllegalStateException("wrk not found or not runnable (" + binary + ": " + version
                    + "); install it (apt-get install -y wrk) or pass wrk=/path/to/wrk");
        }
        int connections = settings.integer("connections", 8);
        int threads = settings.integer("threads", 2);
        if (connections < 1 || threads < 1 || threads > connections) {
            throw new IllegalArgumentException("need 1 <= threads <= connections (wrk opens at least one connection per thread)");
        }
        Path dir = Files.createTempDirectory("kimi-bench-wrk-");
        Path script = dir.resolve("graphql.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("/wrk/graphql.lua")) {
            if (in == null) {
                throw new IllegalStateException("wrk/graphql.lua is missing from the bench jar");
            }
            Files.copy(in, script);
        }
        return new Wrk(binary, version.replaceAll("\\s+Copyright.*", ""), threads, connections,
                settings.integer("timeout", 5), script);
    }

    /** The same wrk and script with other threads and connections (e.g. one wrk per node); close only the original. */
    Wrk with(int threadCount, int connectionCount) {
        return new Wrk(binary, version, threadCount, connectionCount, timeoutSeconds, script);
    }

    String describe() {
        return version + ", -t" + threads + " -c" + connections + ", timeout " + timeoutSeconds + " s, on the same machine";
    }

    /**
     * Runs one window of {@code query} for {@code seconds} against {@code url}, with {@code token} (may be null) from
     * the environment (not argv, so it does not show in {@code ps}); a response without {@code expected} is bad.
     */
    Window run(String url, String query, String expected, String token, int seconds, CpuWatch cpu)
            throws IOException, InterruptedException {
        List<String> command = List.of(binary, "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", timeoutSeconds + "s", "-s", script.toString(), url, "--", query, expected);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("KIMI_BENCH_TOKEN");
        if (token != null) {
            builder.environment().put("KIMI_BENCH_TOKEN", token);
        }
        Process wrk = builder.start();
        String output;
        try (InputStream in = wrk.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
            throw new Api.BenchFailure("wrk did not end within " + (seconds + 30) + " s");
        }
        // wrk is reaped now, so its CPU counts as our children's, apart from other processes
        CpuWatch.Usage usage = cpu.usage();
        if (wrk.exitValue() != 0) {
            throw new Api.BenchFailure("wrk exited with " + wrk.exitValue() + ": " + GraphQlClient.abbreviate(output.trim()));
        }
        Map<String, String> r = parse(output);
        long bad = num(r, "non2xx") + num(r, "graphql_errors") + num(r, "unexpected") + num(r, "connect")
                + num(r, "read") + num(r, "write") + num(r, "timeout");
        Window w = new Window(num(r, "requests"), Double.parseDouble(r.get("rps")), num(r, "p50_us"), num(r, "p90_us"),
                num(r, "p99_us"), num(r, "max_us"), bad, r.getOrDefault("first_bad", ""), usage);
        if (w.requests() == 0) {
            throw new Api.BenchFailure("wrk completed no request; output: " + GraphQlClient.abbreviate(output.trim()));
        }
        if (bad > 0) {
            throw new Api.BenchFailure(String.format("%d bad responses of %d (non-2xx %s, GraphQL errors %s, unexpected %s,"
                    + " connect %s, read %s, write %s, timeout %s); first: %s", bad, w.requests(), r.get("non2xx"),
                    r.get("graphql_errors"), r.get("unexpected"), r.get("connect"), r.get("read"), r.get("write"),
                    r.get("timeout"), w.firstBad()));
        }
        return w;
    }

    /** The WRK_RESULT line (and WRK_FIRST_BAD, if any) the Lua script's done() prints. */
    private static Map<String, String> parse(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("WRK_RESULT ")) {
                for (String pair : line.substring("WRK_RESULT ".length()).trim().split("\\s+")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        values.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
            } else if (line.startsWith("WRK_FIRST_BAD ")) {
                values.put("first_bad", line.substring("WRK_FIRST_BAD ".length()).trim());
            }
        }
        List<String> missing = new ArrayList<>();
        for (String key : List.of("requests", "rps", "p50_us", "p90_us", "p99_us", "max_us", "non2xx", "graphql_errors",
                "unexpected", "connect", "read", "write", "timeout")) {
            if (!values.containsKey(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new Api.BenchFailure("no WRK_RESULT line with " + missing + " in wrk's output: "
                    + GraphQlClient.abbreviate(output.trim()));
        }
        return values;
    }

    private static long num(Map<String, String> r, String key) {
        // LuaJIT may print integral values of large numbers with a fraction; the figures are whole units anyway
        return Math.round(Double.parseDouble(r.get(key)));
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(script);
        Files.deleteIfExists(script.getParent());
    }
}
