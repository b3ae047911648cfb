package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.kimik2.testsupport.platform.ServiceProcess;

/**
 * Erasure time vs the number of a person's events, against the packaged service (embedded default).
 *
 * <p>For every size in {@code sizes} it registers {@code reps} users and gives each {@code size} admin credit grants
 * ({@code grantCredits}, one CreditsGrantedEvent each, distinct idempotency keys) from {@code c} concurrent admin
 * clients, each client owning whole users (grants to one ledger are never concurrent). Then, one user at a time, it
 * sends {@code adminRequestErasure} and polls {@code erasureRequests} every 20 ms until the request is COMPLETED,
 * and reads the certificate's requestedAt / completedAt and eventsAffected. Only 127.0.0.1; every loop bounded.
 *
 * <p>{@code load=generate} (the default) makes the grants fast instead: see {@link #generate} and
 * {@link LedgerEventGenerator}; {@code load=graphql} sends every grant over GraphQL as described above. Settings:
 * {@code sizes}, {@code reps}, {@code reps.<size>} (users of one size), {@code c}, {@code grantBudgetSeconds}
 * (graphql only), {@code viewsTimeoutMinutes} (90), {@code signupCredits} (500000), {@code jar}, {@code revision},
 * {@code append}, {@code out}.
 */
final class ErasureScenario {

    private static final String GRANT = """
            mutation Grant($input: GrantCreditsInput!) {
              grantCredits(input: $input) { __typename ... on CreditsGranted { grantId } ... on ValidationFailed { field message } }
            }""";
    private static final String ERASE = """
            mutation Erase($input: AdminRequestErasureInput!) {
              adminRequestErasure(input: $input) {
                __typename ... on ErasureRequested { request { id status } } ... on ValidationFailed { field message }
              }
            }""";
    private static final String REQUESTS = "query R($first: Int) { erasureRequests(first: $first) { edges { node { id userId status requestedAt completedAt } } } }";
    private static final String CERTIFICATE = "query C($id: ID!) { erasureCertificate(requestId: $id) { requestedAt completedAt eventsAffected viewDocumentsPurged scopes } }";

    private final Harness h;
    private Api api;
    private String admin;

    ErasureScenario(Harness harness) {
        this.h = harness;
    }

    private record User(String username, String id, int size) {
    }

    /** On a service of its own (the generated load stops and restarts it); leaves it running for the harness to stop. */
    void run() throws Exception {
        int[] sizes = h.settings.integers("sizes", "1000");
        int reps = h.settings.integer("reps", 3);
        int c = h.settings.integer("c", 3);
        long grantBudgetSeconds = h.settings.number("grantBudgetSeconds", 900);
        String load = h.settings.string("load", "generate");
        Duration viewsTimeout = Duration.ofMinutes(h.settings.integer("viewsTimeoutMinutes", 90));
        long signupCredits = h.settings.number("signupCredits", 500_000);
        Map<String, String> env = Map.of("KIMI_ADMIN_PASSWORD", h.adminPassword,
                "KIMI_SIGNUP_CREDITS", Long.toString(signupCredits));
        Path logFile = Harness.logFile("erasure-bench");
        ServiceProcess service = h.start(env, null, logFile);
        api = h.api();
        admin = api.login("admin", h.adminPassword);
        List<User> users = new ArrayList<>();
        for (int size : sizes) {
            int repsOfSize = h.settings.integer("reps." + size, reps);
            for (int r = 0; r < repsOfSize; r++) {
                Api.Account account = api.register("erase_" + size + "_" + r + "_" + h.runId, "Erasure Bench " + r);
                users.add(new User(account.username(), account.id(), size));
            }
        }
        String grantLine;
        if ("generate".equals(load)) {
            grantLine = generate(users, env, logFile, service, signupCredits, viewsTimeout);
            service = h.service();
        } else {
            grantLine = grantOverGraphQl(users, c, grantBudgetSeconds);
            api.awaitViewsCaughtUp(admin, viewsTimeout);
        }
        h.report.detail("erasure", "load", grantLine);
        Map<Integer, List<double[]>> bySize = new LinkedHashMap<>();
        for (User user : users) {
            CpuWatch cpu = h.cpu();
            long t0 = System.nanoTime();
            JsonNode er = api.client().data(ERASE, Map.of("input", Map.of("userId", user.id(), "legalBasis", "GDPR Art. 17 (bench)")), admin)
                    .path("adminRequestErasure");
            if (!"ErasureRequested".equals(er.path("__typename").asText())) {
                throw new Api.BenchFailure("adminRequestErasure answered " + er);
            }
            String requestId = er.path("request").path("id").asText();
            double mutationMs = (System.nanoTime() - t0) / 1e6;
            double completedMs = -1;
            long pollDeadline = t0 + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < pollDeadline) {
                if (completed(requestId)) {
                    completedMs = (System.nanoTime() - t0) / 1e6;
                    break;
                }
                Thread.sleep(20);
            }
            if (completedMs < 0) {
                throw new Api.BenchFailure("erasure " + requestId + " not COMPLETED within 5 minutes");
            }
            JsonNode cert = api.client().data(CERTIFICATE, Map.of("id", requestId), admin).path("erasureCertificate");
            double certMs = Duration.between(Instant.parse(cert.path("requestedAt").asText()),
                    Instant.parse(cert.path("completedAt").asText())).toNanos() / 1e6;
            bySize.computeIfAbsent(user.size(), k -> new ArrayList<>()).add(new double[] {completedMs, certMs});
            h.report.detail("erasure", user.username() + " (" + user.size() + " grants)", String.format(Locale.ROOT,
                    "to COMPLETED %.0f ms (poll 20 ms; mutation answered in %.0f ms), certificate %.0f ms, "
                            + "eventsAffected %s, views purged %s, CPU %s", completedMs, mutationMs, certMs,
                    cert.path("eventsAffected").asText(), cert.path("viewDocumentsPurged").asText(), cpu.summary()));
            Thread.sleep(500); // let the processors go idle between erasures
        }
        for (var e : bySize.entrySet()) {
            double[] toCompleted = e.getValue().stream().mapToDouble(v -> v[0]).sorted().toArray();
            double[] certificate = e.getValue().stream().mapToDouble(v -> v[1]).toArray();
            double median = Report.median(toCompleted);
            h.report.row(new Report.Row("erasure " + e.getKey(), "erasure of a person with " + e.getKey() + " grants, one at a time",
                    1000 / median, "erasures/s", "adminRequestErasure to COMPLETED", median,
                    toCompleted[toCompleted.length - 1], Double.NaN, toCompleted.length + " erasures; certificate "
                            + Report.spread(certificate, Report::millis)));
        }
    }

    /** Admin grants over GraphQL from c concurrent clients (each owning whole users), bounded by the budget. */
    private String grantOverGraphQl(List<User> users, int c, long grantBudgetSeconds) throws Exception {
            // grants: client j owns users j, j + c, ...; bounded by grantBudgetSeconds overall
            CpuWatch grantCpu = h.cpu();
            long grantStart = System.nanoTime();
            long deadline = grantStart + TimeUnit.SECONDS.toNanos(grantBudgetSeconds);
            AtomicIntegerArray granted = new AtomicIntegerArray(users.size());
            ExecutorService pool = Executors.newFixedThreadPool(c);
            List<Future<Long>> futures = new ArrayList<>();
            for (int j = 0; j < c; j++) {
                int first = j;
                futures.add(pool.submit(() -> {
                    long done = 0;
                    for (int u = first; u < users.size(); u += c) {
                        User user = users.get(u);
                        for (int i = 0; i < user.size(); i++) {
                            if (System.nanoTime() > deadline) {
                                // out of time: this user keeps the grants it got, and the table shows the real count
                                System.out.printf("  grant budget of %d s used up: %s stops at %d grants%n",
                                        grantBudgetSeconds, user.username(), i);
                                break;
                            }
                            JsonNode g = api.client().data(GRANT, Map.of("input", Map.of("userId", user.id(), "amount", 1,
                                    "reason", "erasure bench", "idempotencyKey", user.id() + "-" + i)), admin).path("grantCredits");
                            if (!"CreditsGranted".equals(g.path("__typename").asText())) {
                                throw new Api.BenchFailure("grantCredits answered " + g);
                            }
                            done++;
                            granted.incrementAndGet(u);
                        }
                        System.out.printf("  %s: %d grants done (%.0f s)%n", user.username(), granted.get(u),
                                (System.nanoTime() - grantStart) / 1e9);
                    }
                    return done;
                }));
            }
            pool.shutdown();
            long totalDone = 0;
            for (Future<Long> f : futures) {
                totalDone += f.get();
            }
            for (int u = 0; u < users.size(); u++) {
                User x = users.get(u);
                users.set(u, new User(x.username(), x.id(), granted.get(u)));
            }
            double grantSecs = (System.nanoTime() - grantStart) / 1e9;
            String grantLine = String.format(Locale.ROOT, "%d grants from %d admin clients in %.1f s = %.1f grants/s (%s)",
                    totalDone, c, grantSecs, totalDone / grantSecs, grantCpu.summary());
            System.out.println(grantLine);
            return grantLine;
    }

    /**
     * The fast, faithful load: one real grantCredits per user, stop the service, append the rest of the grants with
     * {@link LedgerEventGenerator} (the service's own context and event store, in a JVM of its own on the same data
     * directory), restart the service on that directory, let its processors build the views, then one more real
     * grantCredits per user (which loads the ledger from all its events, so wrong aggregate sequence numbers would fail
     * here) and check each user's balance through login + me: signup credits + one credit per grant.
     */
    private String generate(List<User> users, Map<String, String> env, Path logFile, ServiceProcess first,
                            long signupCredits, Duration viewsTimeout) throws Exception {
        for (User user : users) {
            grant(user, "real-0");
        }
        api.awaitViewsCaughtUp(admin, viewsTimeout);
        int exit = first.stop();
        System.out.printf("service stopped (exit %d after %d ms) for the generator%n", exit, first.lastStopMillis());
        Path dataDir = first.dataDir();

        // the generator runs with the service jar's classes; only its own class comes from the bench jar
        Path genDir = Files.createTempDirectory("kimi-bench-gen-");
        Path classFile = genDir.resolve("net/kimik2/bench/LedgerEventGenerator.class");
        Files.createDirectories(classFile.getParent());
        try (var in = LedgerEventGenerator.class.getResourceAsStream("LedgerEventGenerator.class")) {
            Files.copy(in, classFile);
        }
        Path jarCopy = Files.copy(Path.of(h.settings.string("jar", "app/target/kimi-backend.jar")),
                genDir.resolve("kimi-backend.jar"));
        List<String> command = new ArrayList<>(List.of(ServiceProcess.javaExecutable(), "-Xmx2g",
                "-Daxoniq.update-checker.disabled=true",
                "-Dloader.path=" + genDir, "-Dloader.main=" + LedgerEventGenerator.class.getName(),
                "-cp", jarCopy.toString(), "org.springframework.boot.loader.launch.PropertiesLauncher"));
        long generated = 0;
        for (User user : users) {
            int n = Math.max(0, user.size() - 2); // + the real grant before and the real grant after
            command.add(user.id() + "=" + n);
            generated += n;
        }
        Path genLog = Path.of(logFile.toString().replace(".log", ".generator.log"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(genLog.toFile());
        for (String key : List.of("SPRING_PROFILES_ACTIVE", "SPRING_DATA_MONGODB_URI", "KIMI_MODEL_BASE_URL",
                "KIMI_MODEL_API_KEY", "KIMI_KEK")) {
            pb.environment().remove(key);
        }
        pb.environment().putAll(env);
        pb.environment().put("KIMI_DATA_DIR", dataDir.toString());
        long g0 = System.nanoTime();
        Process gen = pb.start();
        if (!gen.waitFor(60, TimeUnit.MINUTES)) {
            gen.destroyForcibly().waitFor();
            throw new Api.BenchFailure("generator did not finish within 60 minutes; see " + genLog);
        }
        double genSecs = (System.nanoTime() - g0) / 1e9;
        if (gen.exitValue() != 0) {
            throw new Api.BenchFailure("generator exited with " + gen.exitValue() + "; see " + genLog);
        }
        String genOut = Files.readAllLines(genLog).stream().filter(l -> l.startsWith("generator:"))
                .reduce((a, b) -> b).orElse("generator: (no summary line)");
        System.out.printf("generator done in %.1f s: %s%n", genSecs, genOut);
        Files.deleteIfExists(classFile);
        Files.deleteIfExists(jarCopy);

        ServiceProcess service = h.start(env, dataDir, Path.of(logFile.toString().replace(".log", ".restart.log")));
        api = h.api();
        admin = api.login("admin", h.adminPassword);
        CpuWatch viewCpu = h.cpu();
        long v0 = System.nanoTime();
        api.awaitViewsCaughtUp(admin, viewsTimeout);
        double viewSecs = (System.nanoTime() - v0) / 1e9;
        String viewCpuLine = viewCpu.summary();
        long r0 = System.nanoTime();
        for (User user : users) {
            grant(user, "real-last");
        }
        double lastGrantMs = (System.nanoTime() - r0) / 1e6 / users.size();
        api.awaitViewsCaughtUp(admin, viewsTimeout);
        for (User user : users) {
            String token = api.login(user.username(), Api.PASSWORD);
            long available = api.me(token, user.id()).path("credits").path("available").asLong();
            long expected = signupCredits + user.size();
            if (available != expected) {
                throw new Api.BenchFailure(user.username() + " has " + available + " credits, expected " + expected);
            }
        }
        return String.format(Locale.ROOT,
                "%d generated grants (LedgerEventGenerator: %s; %.1f s with its context start and stop); 2 real "
                        + "grantCredits per user (before the stop, and after the restart: %.0f ms mean, the ledger "
                        + "loaded from all its events); restart to health UP %.1f s; views caught up %.1f s after that "
                        + "(%s); every user's balance = signup credits + grants (login + me)",
                generated, genOut.replace("generator: ", ""), genSecs, lastGrantMs,
                service.lastStartup().toMillis() / 1e3, viewSecs, viewCpuLine);
    }

    private void grant(User user, String key) {
        JsonNode g = api.client().data(GRANT, Map.of("input", Map.of("userId", user.id(), "amount", 1,
                "reason", "erasure-bench", "idempotencyKey", user.id() + "-" + key)), admin).path("grantCredits");
        if (!"CreditsGranted".equals(g.path("__typename").asText())) {
            throw new Api.BenchFailure("grantCredits answered " + g);
        }
    }

    private boolean completed(String requestId) {
        JsonNode edges = api.client().data(REQUESTS, Map.of("first", 50), admin).path("erasureRequests").path("edges");
        for (JsonNode e : edges) {
            if (requestId.equals(e.path("node").path("id").asText())) {
                return "COMPLETED".equals(e.path("node").path("status").asText());
            }
        }
        return false;
    }
}
