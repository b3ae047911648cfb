package net.kimik2.testsupport.platform;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged service ({@code app/target/kimi-backend.jar}) run as a child process on a data directory of the
 * caller's choosing, the way an operator runs it. Its output goes to a log file that callers can read.
 *
 * <p>The defaults suit end-to-end tests ({@code -Xmx1g -XX:TieredStopAtLevel=1}, the jar named by the
 * {@code kimi.jar} system property, the log next to the data directory, the caller's environment inherited). A
 * benchmark sets the JVM options, runs a private copy of the jar ({@link #privateJarCopy()}), and drops inherited
 * settings that would point the service away from its embedded defaults ({@link #embeddedDefaultsOnly()}).
 */
public final class ServiceProcess implements AutoCloseable {

    /** The logs written during the running test, for a JUnit extension that shows them when the test fails. */
    private static final Set<Path> LOGS_OF_THIS_TEST = new LinkedHashSet<>();

    /** Inherited variables that would send the service to external stores, a model API or a payment provider. */
    private static final List<String> EXTERNAL_SETTINGS = List.of("SPRING_PROFILES_ACTIVE", "SPRING_DATA_MONGODB_URI",
            "KIMI_MODEL_BASE_URL", "KIMI_MODEL_API_KEY", "KIMI_KEK", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET",
            "STRIPE_API_BASE");

    private final Path dataDir;
    private final Map<String, String> env;
    private Path log;
    private Path jar = Path.of(System.getProperty("kimi.jar", "target/kimi-backend.jar"));
    private List<String> jvmArgs = List.of("-Xmx1g", "-XX:TieredStopAtLevel=1");
    private boolean privateJarCopy;
    private boolean embeddedDefaultsOnly;
    private Duration startupTimeout = Duration.ofSeconds(90);
    private Process process;
    private int port;
    private Duration lastStartup;
    private long lastStopMillis = -1;

    public ServiceProcess(Path dataDir, Map<String, String> env) {
        this.dataDir = dataDir;
        this.env = new HashMap<>(env);
        log(dataDir.getParent().resolve(dataDir.getFileName() + "-service.log"));
    }

    /** The logs of the services created since the last call; the list starts afresh. */
    public static List<Path> logsOfThisTest() {
        synchronized (LOGS_OF_THIS_TEST) {
            List<Path> logs = List.copyOf(LOGS_OF_THIS_TEST);
            LOGS_OF_THIS_TEST.clear();
            return logs;
        }
    }

    // ---------------------------------------------------------------- settings, before start()

    /** The service jar (default: the {@code kimi.jar} system property, else {@code target/kimi-backend.jar}). */
    public ServiceProcess jar(Path serviceJar) {
        this.jar = serviceJar;
        return this;
    }

    /** The JVM options of the service, replacing the defaults. */
    public ServiceProcess jvmArgs(List<String> options) {
        this.jvmArgs = List.copyOf(options);
        return this;
    }

    /** Where the service's output goes (appended; every start writes a marker line first). */
    public ServiceProcess log(Path file) {
        synchronized (LOGS_OF_THIS_TEST) {
            if (log != null) {
                LOGS_OF_THIS_TEST.remove(log);
            }
            LOGS_OF_THIS_TEST.add(file);
        }
        this.log = file;
        return this;
    }

    /** Runs a private copy of the jar: a rebuild of {@code app/target} during a long run must not pull it away. */
    public ServiceProcess privateJarCopy() {
        this.privateJarCopy = true;
        return this;
    }

    /** Drops inherited variables that would point the service at external stores or APIs (see the list above). */
    public ServiceProcess embeddedDefaultsOnly() {
        this.embeddedDefaultsOnly = true;
        return this;
    }

    public ServiceProcess startupTimeout(Duration timeout) {
        this.startupTimeout = timeout;
        return this;
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Starts the packaged service on a free port and waits until {@code /actuator/health} is UP. Between finding the
     * port and binding it another process may take it (benchmarks and other suites run on this machine too), so a
     * start that fails on a taken port is retried.
     */
    public ServiceProcess start() throws Exception {
        for (int attempt = 1; ; attempt++) {
            long logSize = Files.exists(log) ? Files.size(log) : 0;
            try {
                return startOnce();
            } catch (IllegalStateException e) {
                String tail = Files.exists(log) ? Files.readString(log).substring((int) logSize) : "";
                boolean portTaken = tail.contains("already in use");
                if (!portTaken || attempt == 3) {
                    throw new IllegalStateException(e.getMessage() + "\n--- end of the service log ---\n"
                            + lastLines(tail, 40), e);
                }
            }
        }
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.split("\n");
        return String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - n), lines.length));
    }

    private ServiceProcess startOnce() throws Exception {
        port = freePort();
        if (!new File(jar.toString()).isFile()) {
            throw new IllegalStateException("build the jar first (./mvnw -DskipTests package): " + jar);
        }
        Path runJar = jar;
        if (privateJarCopy) {
            Path jarDir = Files.createTempDirectory("kimi-service-jar-");
            runJar = Files.copy(jar, jarDir.resolve("kimi-backend.jar"));
            // deleteOnExit runs in reverse order of registration: the directory first would fail while the jar is in it
            jarDir.toFile().deleteOnExit();
            runJar.toFile().deleteOnExit();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmArgs);
        // a private copy is a benchmark's: it runs the jar as operators get it; tests start the prepared one
        List<String> quick = privateJarCopy ? List.of() : FastStartJar.launch(jar, EXTERNAL_SETTINGS).orElse(List.of());
        cmd.addAll(quick.isEmpty() ? List.of("-jar", runJar.toString()) : quick);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (embeddedDefaultsOnly) {
            EXTERNAL_SETTINGS.forEach(pb.environment()::remove);
        }
        pb.environment().putAll(env);
        pb.environment().put("KIMI_DATA_DIR", dataDir.toString());
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        // several runs append to one log (a crash and its restart): mark where each begins
        Files.writeString(log, "=== test harness: starting the service on port " + port + " at " + Instant.now()
                + " ===\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long t0 = System.nanoTime();
        process = pb.start();
        awaitHealthy(startupTimeout);
        lastStartup = Duration.ofNanos(System.nanoTime() - t0);
        return this;
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited with " + process.exitValue() + "; log: " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50); // start-up time is a figure of the benchmarks: poll finely
        }
        throw new IllegalStateException("service not healthy within " + timeout + "; log: " + log);
    }

    /**
     * SIGTERM, as an operator or a container runtime stops it; waits for the graceful shutdown (60 s, then SIGKILL).
     * Answers the exit code; {@link #lastStopMillis()} tells how long the shutdown took.
     */
    public int stop() throws InterruptedException {
        if (!process.isAlive()) {
            lastStopMillis = -1; // it had already ended: not stopped by us
            return process.exitValue();
        }
        long t0 = System.nanoTime();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        lastStopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to end by itself (e.g. a fault-injected halt); answers its exit code. */
    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("service still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    // ---------------------------------------------------------------- facts

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The graphql-ws endpoint. */
    public URI webSocketUri() {
        return URI.create("ws://127.0.0.1:" + port + "/graphql");
    }

    public GraphQlClient client() {
        return new GraphQlClient(baseUrl());
    }

    /** Launch to health UP, of the last start. */
    public Duration lastStartup() {
        return lastStartup;
    }

    /** SIGTERM to exit of the last {@link #stop()}; -1 when the process had already ended. */
    public long lastStopMillis() {
        return lastStopMillis;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    public Path logFile() {
        return log;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Peak resident set size of the service (VmHWM), in MiB; -1 when /proc is unavailable or the process is gone. */
    public long peakRssMiB() {
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

    /** Bytes of all files in the data directory. */
    public long dataDirBytes() throws IOException {
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

    public void deleteDataDir() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
