package net.kimik2.app.e2e;

import java.io.File;
import java.io.IOException;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code app/target/kimi-backend.jar}) run as a child process on a data directory of the
 * test's choosing, the way an operator runs it. Its output goes to a log file that tests can read.
 */
final class ServiceProcess implements AutoCloseable {

    /** The logs written during the running test, for {@link ServiceLogsOnFailure}. */
    private static final Set<Path> LOGS_OF_THIS_TEST = new LinkedHashSet<>();

    private final Path dataDir;
    private final Map<String, String> env;
    private final Path log;
    private Process process;
    private int port;
    private Duration lastStartup;

    ServiceProcess(Path dataDir, Map<String, String> env) {
        this.dataDir = dataDir;
        this.env = new HashMap<>(env);
        this.log = dataDir.getParent().resolve(dataDir.getFileName() + "-service.log");
        synchronized (LOGS_OF_THIS_TEST) {
            LOGS_OF_THIS_TEST.add(log);
        }
    }

    /** The logs of the services created since the last call; the list starts afresh. */
    static List<Path> logsOfThisTest() {
        synchronized (LOGS_OF_THIS_TEST) {
            List<Path> logs = List.copyOf(LOGS_OF_THIS_TEST);
            LOGS_OF_THIS_TEST.clear();
            return logs;
        }
    }

    /**
     * Starts the packaged service on a free port. Between finding the port and binding it another process may take
     * it (benchmarks and other suites run on this machine too), so a start that fails on a taken port is retried.
     */
    ServiceProcess start() throws Exception {
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
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - n), lines.length));
    }

    private ServiceProcess startOnce() throws Exception {
        port = freePort();
        String jar = System.getProperty("kimi.jar", "target/kimi-backend.jar");
        if (!new File(jar).isFile()) {
            throw new IllegalStateException("build the jar first (./mvnw package): " + jar);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:TieredStopAtLevel=1", "-jar", jar));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("KIMI_DATA_DIR", dataDir.toString());
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        // several runs append to one log (a crash and its restart): mark where each begins
        Files.writeString(log, "=== test harness: starting the service on port " + port + " at " + Instant.now()
                + " ===\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long t0 = System.nanoTime();
        process = pb.start();
        awaitHealthy(Duration.ofSeconds(90));
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
            Thread.sleep(200);
        }
        throw new IllegalStateException("service not healthy within " + timeout + "; log: " + log);
    }

    /** SIGTERM, as an operator or a container runtime stops it; waits for the graceful shutdown. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to end by itself (e.g. a fault-injected halt); answers its exit code. */
    int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("service still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    GraphQlClient client() {
        return new GraphQlClient(baseUrl());
    }

    Duration lastStartup() {
        return lastStartup;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
