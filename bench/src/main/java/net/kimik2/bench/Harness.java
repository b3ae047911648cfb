package net.kimik2.bench;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.ServiceProcess;

/**
 * One run of the packaged service for the scenarios that talk to it: started on a fresh data directory and a free
 * loopback port (a private copy of the jar, embedded defaults only, {@code -Xmx<heap>}, extra JVM options from
 * {@code KIMI_BENCH_SERVICE_JVM_ARGS}), a client, the CPU watch, the report; stopped at the end with its peak RSS,
 * shutdown time, data size and log summary recorded.
 */
final class Harness {

    final Settings settings;
    // not final: a scenario comparing configurations gives each phase a report of its own (Report.absorb)
    Report report;
    final String runId = Long.toString(System.currentTimeMillis(), 36);
    final String adminPassword;
    final Duration requestTimeout;
    final Duration settleTimeout;
    private final Path jar;
    private final String heap;
    private ServiceProcess service;
    private Api api;
    private HttpClient sockets;

    Harness(Settings settings, Report report) {
        this.settings = settings;
        this.report = report;
        this.jar = Path.of(settings.string("jar", "app/target/kimi-backend.jar"));
        this.heap = settings.string("heap", "2g");
        this.adminPassword = settings.string("adminPassword", "bench-admin-password-2026");
        this.requestTimeout = Duration.ofSeconds(settings.integer("requestTimeout", 60));
        this.settleTimeout = Duration.ofSeconds(settings.integer("settleTimeout", 60));
        report.header("command: `" + settings.string("command", "java -cp bench/target/kimi-bench.jar net.kimik2.bench.Bench") + "`");
        report.header("machine: nproc " + Machine.run("nproc").trim() + ", " + Machine.cpuModel() + ", "
                + Machine.freeMemLine() + "; java: " + Machine.javaVersion(ServiceProcess.javaExecutable()));
        report.header("load before the run: `" + Machine.run("uptime").trim() + "`");
    }

    /** A log file of this run: next to the bench build when there is one. */
    static Path logFile(String name) {
        Path dir = Files.isDirectory(Path.of("bench/target")) ? Path.of("bench/target") : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve(name + "-" + System.currentTimeMillis() + ".log");
    }

    /** Starts the service on {@code dataDir} (null: a fresh temporary one) with {@code env}; records the start-up. */
    ServiceProcess start(Map<String, String> env, Path dataDir, Path log) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap,
                // no update check: the bench must not send traffic anywhere but loopback
                "-Daxoniq.update-checker.disabled=true"));
        // extra JVM options for the service only, e.g. a JFR recording: KIMI_BENCH_SERVICE_JVM_ARGS="-XX:StartFlightRecording=..."
        String extra = System.getenv("KIMI_BENCH_SERVICE_JVM_ARGS");
        if (extra != null && !extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("kimi-bench-data-");
        service = new ServiceProcess(data, env).jar(jar).jvmArgs(jvm).log(log).privateJarCopy().embeddedDefaultsOnly()
                .startupTimeout(Duration.ofSeconds(settings.integer("startupTimeout", 300))).start();
        api = new Api(new GraphQlClient(java.net.URI.create(service.baseUrl()), requestTimeout));
        sockets = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        System.out.println("service healthy after " + Report.seconds(service.lastStartup().toNanos()) + "; log: " + log
                + ", data: " + data + ", url: " + service.baseUrl());
        return service;
    }

    ServiceProcess service() {
        return service;
    }

    Api api() {
        return api;
    }

    /** A CPU window over the service and this JVM. */
    CpuWatch cpu() {
        return CpuWatch.start(service.pid(), ProcessHandle.current().pid());
    }

    /** A graphql-ws socket authenticated with {@code token} (all sockets share one HTTP client). */
    GraphQlWsClient socket(String token) {
        try {
            return GraphQlWsClient.connect(sockets, service.webSocketUri(), Map.of("Authorization", "Bearer " + token),
                    Map.of(), Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.BenchFailure("interrupted");
        } catch (Exception e) {
            throw new Api.BenchFailure("graphql-ws connect failed: " + e);
        }
    }

    /** Stops the service, records what it left, and deletes its data unless {@code keepData}. */
    void stop(String scenario) throws Exception {
        if (!service.isAlive()) {
            report.problem("the service exited during the run without being stopped by the bench; see " + service.logFile());
        }
        long peakRss = service.peakRssMiB();
        int exit = service.stop();
        report.detail(scenario, "start-up (launch to health UP)", Report.seconds(service.lastStartup().toNanos()));
        report.detail(scenario, "service peak RSS (VmHWM)", peakRss < 0 ? "n/a" : peakRss + " MiB");
        report.detail(scenario, "stop (SIGTERM to exit)", service.lastStopMillis() < 0 ? "had already exited with " + exit
                : "exit code " + exit + " (128 + SIGTERM: normal for the JVM) after " + service.lastStopMillis() + " ms");
        report.detail(scenario, "data directory after stop", String.format(Locale.ROOT, "%.1f MiB",
                service.dataDirBytes() / 1048576.0));
        report.detail(scenario, "service log", ServiceLog.summarize(service.logFile()));
        if (!settings.flag("keepData", false)) {
            service.deleteDataDir();
        }
    }
}
