package net.kimik2.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The packaged service jar as a child process on a fresh data directory and a free loopback port. */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path dataDir;
    private final Path logFile;
    private final URI base;
    private final long launchedAtNanos;

    private ServiceProcess(Process process, Path dataDir, Path logFile, URI base, long launchedAtNanos) {
        this.process = process;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.base = base;
        this.launchedAtNanos = launchedAtNanos;
    }

    static ServiceProcess launch(Path jar, String heap, Map<String, String> env, Path logFile) throws IOException {
        return launch(jar, heap, env, logFile, null);
    }

    /** As {@link #launch(Path, String, Map, Path)}, on {@code dataDir} when not null (a restart on existing data). */
    static ServiceProcess launch(Path jar, String heap, Map<String, String> env, Path logFile, Path existingDataDir)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("service jar not found: " + jar + " (build it with ./mvnw -q -DskipTests package)");
        }
        // Run a private copy: a rebuild of app/target during the run must not pull the jar from under the JVM.
        Path jarDir = Files.createTempDirectory("kimi-bench-jar-");
        Path jarCopy = Files.copy(jar, jarDir.resolve("kimi-backend.jar"));
        // deleteOnExit runs in reverse order of registration: the directory first would fail while the jar is in it
        jarDir.toFile().deleteOnExit();
        jarCopy.toFile().deleteOnExit();
        Path dataDir = existingDataDir != null ? existingDataDir : Files.createTempDirectory("kimi-bench-data-");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx" + heap,
                // no update check: the bench must not send traffic anywhere but loopback
                "-Daxoniq.update-checker.disabled=true"));
        // extra JVM options for the service only, e.g. a JFR recording: KIMI_BENCH_SERVICE_JVM_ARGS="-XX:StartFlightRecording=..."
        String extra = System.getenv("KIMI_BENCH_SERVICE_JVM_ARGS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jarCopy.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        Map<String, String> childEnv = builder.environment();
        // The embedded default is what we measure: drop anything that would point at external stores or a model API.
        for (String key : List.of("SPRING_PROFILES_ACTIVE", "SPRING_DATA_MONGODB_URI", "KIMI_MODEL_BASE_URL",
                "KIMI_MODEL_API_KEY", "KIMI_KEK", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")) {
            childEnv.remove(key);
        }
        childEnv.putAll(env);
        childEnv.put("SERVER_PORT", Integer.toString(port));
        childEnv.put("KIMI_DATA_DIR", dataDir.toString());
        long launchedAt = System.nanoTime();
        Process process = builder.start();
        return new ServiceProcess(process, dataDir, logFile, URI.create("http://127.0.0.1:" + port), launchedAt);
    }

    /** Polls /actuator/health until UP; returns the time from process launch to UP. */
    Duration awaitHealthy(GraphQlClient client, Duration limit) throws InterruptedException {
        URI health = base.resolve("/actuator/health");
        long deadline = System.nanoTime() + limit.toNanos();
        StringBuilder body = new StringBuilder();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited with " + process.exitValue() + " before it was healthy; see " + logFile);
            }
            if (client.get(health, body) == 200 && body.toString().contains("\"UP\"")) {
                return Duration.ofNanos(System.nanoTime() - launchedAtNanos);
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("service not healthy within " + limit + "; see " + logFile);
    }

    /** Peak resident set size of the service (VmHWM), in MiB; -1 when /proc is unavailable. */
    long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux or the process is gone: the figure is optional
        }
        return -1;
    }

    /** SIGTERM (Process.destroy) and wait for the graceful shutdown; returns [exit code, shutdown millis]. */
    long[] stop(Duration limit) throws InterruptedException {
        if (!process.isAlive()) {
            return new long[] {process.exitValue(), -1}; // already gone: not stopped by us
        }
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            return new long[] {-1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)};
        }
        return new long[] {process.exitValue(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)};
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    URI base() {
        return base;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    long dataDirBytes() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    void deleteDataDir() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Safety net for early failures: never leave the child running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
