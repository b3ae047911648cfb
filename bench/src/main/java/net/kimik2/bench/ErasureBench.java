package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.kimik2.bench.GraphQlClient.BenchFailure;

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
public final class ErasureBench {

    private static final String PASSWORD = "bench-password-2026";
    private static final String REGISTER = """
            mutation Register($input: RegisterInput!) {
              register(input: $input) { __typename ... on Registered { account { id } } }
            }""";
    private static final String LOGIN = """
            mutation Login($input: LoginInput!) {
              login(input: $input) { __typename ... on LoggedIn { token } }
            }""";
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
    private static final String ME_CREDITS = "{ me { credits { available } } }";
    private static final String PROCESSORS = "{ viewProcessors { name caughtUp position headPosition } }";

    private final Map<String, String> settings;
    private GraphQlClient client;
    private String admin;

    private ErasureBench(Map<String, String> settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            s.put(a.substring(0, eq), a.substring(eq + 1));
        }
        new ErasureBench(s).run();
    }

    private record User(String username, String id, int size) {
    }

    private void run() throws Exception {
        int[] sizes = Arrays.stream(settings.getOrDefault("sizes", "1000").split(",")).mapToInt(Integer::parseInt).toArray();
        int reps = Integer.parseInt(settings.getOrDefault("reps", "3"));
        int c = Integer.parseInt(settings.getOrDefault("c", "3"));
        long grantBudgetSeconds = Long.parseLong(settings.getOrDefault("grantBudgetSeconds", "900"));
        Path jar = Path.of(settings.getOrDefault("jar", "app/target/kimi-backend.jar"));
        String adminPassword = "bench-admin-" + Long.toHexString(System.nanoTime());
        Path logDir = Files.isDirectory(Path.of("bench/target")) ? Path.of("bench/target") : Path.of(System.getProperty("java.io.tmpdir"));
        Path logFile = logDir.resolve("erasure-bench-" + System.currentTimeMillis() + ".service.log");
        StringBuilder md = new StringBuilder();
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0));
        md.append("\n### Erasure bench run ").append(now).append("\n\n");
        md.append("- command: `").append(System.getProperty("bench.command", "ErasureBench")).append("`\n");
        md.append("- service: `").append(jar).append("`, -Xmx2g, embedded default, ").append(settings.getOrDefault("revision", Machine.gitRevision())).append('\n');
        md.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", ").append(Machine.cpuModel())
                .append(", ").append(Machine.freeMemLine()).append('\n');
        String load = settings.getOrDefault("load", "generate");
        long viewsTimeoutMinutes = Long.parseLong(settings.getOrDefault("viewsTimeoutMinutes", "90"));
        long signupCredits = Long.parseLong(settings.getOrDefault("signupCredits", "500000"));
        ServiceProcess service = ServiceProcess.launch(jar, "2g", Map.of("KIMI_ADMIN_PASSWORD", adminPassword), logFile);
        try {
            System.out.println("service log: " + logFile + ", data: " + service.dataDir());
            client = new GraphQlClient(service.base(), Duration.ofSeconds(120));
            Duration startup = service.awaitHealthy(client, Duration.ofMinutes(5));
            System.out.println("healthy after " + startup.toMillis() + " ms");
            admin = login("admin", adminPassword);
            List<User> users = new ArrayList<>();
            for (int size : sizes) {
                int repsOfSize = Integer.parseInt(settings.getOrDefault("reps." + size, Integer.toString(reps)));
                for (int r = 0; r < repsOfSize; r++) {
                    String username = "erase_" + size + "_" + r + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
                    JsonNode res = client.execute(REGISTER, Map.of("input", Map.of("name", "Erasure Bench " + r,
                            "email", username + "@bench.example.org", "username", username, "password", PASSWORD,
                            "acceptedPolicyVersion", "2026-01")), null).path("register");
                    if (!"Registered".equals(res.path("__typename").asText())) {
                        throw new BenchFailure("register answered " + res);
                    }
                    users.add(new User(username, res.path("account").path("id").asText(), size));
                }
            }
            String grantLine;
            if ("generate".equals(load)) {
                GeneratedLoad g = generate(users, jar, adminPassword, logFile, service, signupCredits, viewsTimeoutMinutes);
                service = g.service();
                grantLine = g.summary();
            } else {
                grantLine = grantOverGraphQl(users, c, grantBudgetSeconds, service);
                awaitViewsCaughtUp(viewsTimeoutMinutes);
            }
            Duration startupLine = startup;
            md.append("- ").append(grantLine).append("\n- start-up ").append(startupLine.toMillis()).append(" ms\n\n");
            md.append("| user's grants | user | mutation to COMPLETED (poll 20 ms) | certificate completedAt - requestedAt | eventsAffected | views purged | CPU |\n|---|---|---|---|---|---|---|\n");
            Map<Integer, List<double[]>> bySize = new LinkedHashMap<>();
            for (User user : users) {
                CpuWatch cpu = CpuWatch.start(service.pid(), ProcessHandle.current().pid());
                long t0 = System.nanoTime();
                JsonNode er = client.execute(ERASE, Map.of("input", Map.of("userId", user.id(), "legalBasis", "GDPR Art. 17 (bench)")), admin)
                        .path("adminRequestErasure");
                if (!"ErasureRequested".equals(er.path("__typename").asText())) {
                    throw new BenchFailure("adminRequestErasure answered " + er);
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
                    throw new BenchFailure("erasure " + requestId + " not COMPLETED within 5 minutes");
                }
                JsonNode cert = client.execute(CERTIFICATE, Map.of("id", requestId), admin).path("erasureCertificate");
                double certMs = Duration.between(Instant.parse(cert.path("requestedAt").asText()),
                        Instant.parse(cert.path("completedAt").asText())).toNanos() / 1e6;
                bySize.computeIfAbsent(user.size(), k -> new ArrayList<>()).add(new double[] {completedMs, certMs});
                String row = String.format(Locale.ROOT, "| %d | %s | %.0f ms (mutation answered in %.0f ms) | %.0f ms | %s | %s | %s |",
                        user.size(), user.username(), completedMs, mutationMs, certMs, cert.path("eventsAffected").asText(),
                        cert.path("viewDocumentsPurged").asText(), cpu.summary());
                System.out.println(row);
                md.append(row).append('\n');
                Thread.sleep(500); // let the processors go idle between erasures
            }
            md.append("\n| user's grants | erasures | to COMPLETED median (min-max) | certificate median (min-max) |\n|---|---|---|---|\n");
            for (var e : bySize.entrySet()) {
                double[] a = e.getValue().stream().mapToDouble(v -> v[0]).toArray();
                double[] b = e.getValue().stream().mapToDouble(v -> v[1]).toArray();
                md.append(String.format(Locale.ROOT, "| %d | %d | %.0f ms (%.0f-%.0f) | %.0f ms (%.0f-%.0f) |%n", e.getKey(), a.length,
                        median(a), Arrays.stream(a).min().orElse(0), Arrays.stream(a).max().orElse(0),
                        median(b), Arrays.stream(b).min().orElse(0), Arrays.stream(b).max().orElse(0)));
            }
            long[] stopped = service.stop(Duration.ofSeconds(60));
            md.append("\nservice stopped with exit code ").append(stopped[0]).append(" after ").append(stopped[1])
                    .append(" ms; log: ").append(ServiceLog.summarize(service.logFile())).append('\n');
            service.deleteDataDir();
        } finally {
            service.close();
        }
        System.out.print(md);
        if (!"false".equals(settings.getOrDefault("append", "true"))) {
            Files.writeString(Path.of(settings.getOrDefault("out", "docs/benchmarks.md")), md.toString(),
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
    }

    /** Admin grants over GraphQL from c concurrent clients (each owning whole users), bounded by the budget. */
    private String grantOverGraphQl(List<User> users, int c, long grantBudgetSeconds, ServiceProcess service)
            throws Exception {
            // grants: client j owns users j, j + c, ...; bounded by grantBudgetSeconds overall
            CpuWatch grantCpu = CpuWatch.start(service.pid(), ProcessHandle.current().pid());
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
                            JsonNode g = client.execute(GRANT, Map.of("input", Map.of("userId", user.id(), "amount", 1,
                                    "reason", "erasure bench", "idempotencyKey", user.id() + "-" + i)), admin).path("grantCredits");
                            if (!"CreditsGranted".equals(g.path("__typename").asText())) {
                                throw new BenchFailure("grantCredits answered " + g);
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

    private record GeneratedLoad(ServiceProcess service, String summary) {
    }

    /**
     * The fast, faithful load: one real grantCredits per user, stop the service, append the rest of the grants with
     * {@link LedgerEventGenerator} (the service's own context and event store, in a JVM of its own on the same data
     * directory), restart the service on that directory, let its processors build the views, then one more real
     * grantCredits per user (which loads the ledger from all its events, so wrong aggregate sequence numbers would fail
     * here) and check each user's balance through login + me: signup credits + one credit per grant.
     */
    private GeneratedLoad generate(List<User> users, Path jar, String adminPassword, Path logFile, ServiceProcess first,
                                   long signupCredits, long viewsTimeoutMinutes) throws Exception {
        for (User user : users) {
            grant(user, "real-0");
        }
        awaitViewsCaughtUp(viewsTimeoutMinutes);
        long[] stopped = first.stop(Duration.ofSeconds(60));
        System.out.printf("service stopped (exit %d after %d ms) for the generator%n", stopped[0], stopped[1]);
        Path dataDir = first.dataDir();

        // the generator runs with the service jar's classes; only its own class comes from the bench jar
        Path genDir = Files.createTempDirectory("kimi-bench-gen-");
        Path classFile = genDir.resolve("net/kimik2/bench/LedgerEventGenerator.class");
        Files.createDirectories(classFile.getParent());
        try (var in = LedgerEventGenerator.class.getResourceAsStream("LedgerEventGenerator.class")) {
            Files.copy(in, classFile);
        }
        Path jarCopy = Files.copy(jar, genDir.resolve("kimi-backend.jar"));
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
        Path genLog = Path.of(logFile.toString().replace(".service.log", ".generator.log"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(genLog.toFile());
        for (String key : List.of("SPRING_PROFILES_ACTIVE", "SPRING_DATA_MONGODB_URI", "KIMI_MODEL_BASE_URL",
                "KIMI_MODEL_API_KEY", "KIMI_KEK")) {
            pb.environment().remove(key);
        }
        pb.environment().put("KIMI_DATA_DIR", dataDir.toString());
        pb.environment().put("KIMI_ADMIN_PASSWORD", adminPassword);
        long g0 = System.nanoTime();
        Process gen = pb.start();
        if (!gen.waitFor(60, TimeUnit.MINUTES)) {
            gen.destroyForcibly().waitFor();
            throw new BenchFailure("generator did not finish within 60 minutes; see " + genLog);
        }
        String genCpuLine = "";
        double genSecs = (System.nanoTime() - g0) / 1e9;
        if (gen.exitValue() != 0) {
            throw new BenchFailure("generator exited with " + gen.exitValue() + "; see " + genLog);
        }
        String genOut = Files.readAllLines(genLog).stream().filter(l -> l.startsWith("generator:"))
                .reduce((a, b) -> b).orElse("generator: (no summary line)");
        System.out.printf("generator done in %.1f s: %s (%s)%n", genSecs, genOut, genCpuLine);
        Files.deleteIfExists(classFile);
        Files.deleteIfExists(jarCopy);

        Path logFile2 = Path.of(logFile.toString().replace(".service.log", ".restart.service.log"));
        ServiceProcess service = ServiceProcess.launch(jar, "2g", Map.of("KIMI_ADMIN_PASSWORD", adminPassword), logFile2,
                dataDir);
        try {
            return afterRestart(users, service, signupCredits, viewsTimeoutMinutes, adminPassword, generated, genOut,
                    genSecs, genCpuLine);
        } catch (Exception | Error e) {
            service.close(); // never leave the restarted child running
            throw e;
        }
    }

    private GeneratedLoad afterRestart(List<User> users, ServiceProcess service, long signupCredits,
                                       long viewsTimeoutMinutes, String adminPassword, long generated, String genOut,
                                       double genSecs, String genCpuLine) throws Exception {
        client = new GraphQlClient(service.base(), Duration.ofSeconds(120));
        Duration startup = service.awaitHealthy(client, Duration.ofMinutes(10));
        admin = login("admin", adminPassword);
        CpuWatch viewCpu = CpuWatch.start(service.pid(), ProcessHandle.current().pid());
        long v0 = System.nanoTime();
        awaitViewsCaughtUp(viewsTimeoutMinutes);
        double viewSecs = (System.nanoTime() - v0) / 1e9;
        String viewCpuLine = viewCpu.summary();
        long r0 = System.nanoTime();
        for (User user : users) {
            grant(user, "real-last");
        }
        double lastGrantMs = (System.nanoTime() - r0) / 1e6 / users.size();
        awaitViewsCaughtUp(viewsTimeoutMinutes);
        for (User user : users) {
            String token = login(user.username(), PASSWORD);
            long available = client.execute(ME_CREDITS, null, token).path("me").path("credits").path("available").asLong();
            long expected = signupCredits + user.size();
            if (available != expected) {
                throw new BenchFailure(user.username() + " has " + available + " credits, expected " + expected);
            }
        }
        return new GeneratedLoad(service, String.format(Locale.ROOT,
                "%d generated grants (LedgerEventGenerator: %s; %.1f s with its context start and stop%s); 2 real "
                        + "grantCredits per user (before the stop, and after the restart: %.0f ms mean, the ledger "
                        + "loaded from all its events); restart to health UP %.1f s; views caught up %.1f s after that "
                        + "(%s); every user's balance = signup credits + grants (login + me)",
                generated, genOut.replace("generator: ", ""), genSecs, genCpuLine, lastGrantMs,
                startup.toMillis() / 1e3, viewSecs, viewCpuLine));
    }

    private void grant(User user, String key) {
        JsonNode g = client.execute(GRANT, Map.of("input", Map.of("userId", user.id(), "amount", 1,
                "reason", "erasure-bench", "idempotencyKey", user.id() + "-" + key)), admin).path("grantCredits");
        if (!"CreditsGranted".equals(g.path("__typename").asText())) {
            throw new BenchFailure("grantCredits answered " + g);
        }
    }

    private boolean completed(String requestId) {
        JsonNode edges = client.execute(REQUESTS, Map.of("first", 50), admin).path("erasureRequests").path("edges");
        for (JsonNode e : edges) {
            if (requestId.equals(e.path("node").path("id").asText())) {
                return "COMPLETED".equals(e.path("node").path("status").asText());
            }
        }
        return false;
    }

    private void awaitViewsCaughtUp(long minutes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        while (System.nanoTime() < deadline) {
            JsonNode ps = client.execute(PROCESSORS, null, admin).path("viewProcessors");
            boolean all = true;
            for (JsonNode p : ps) {
                all &= p.path("caughtUp").asBoolean() && p.path("position").asLong() >= p.path("headPosition").asLong();
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new BenchFailure("views not caught up within " + minutes + " minutes");
    }

    private String login(String user, String password) {
        JsonNode r = client.execute(LOGIN, Map.of("input", Map.of("usernameOrEmail", user, "password", password)), null).path("login");
        if (!"LoggedIn".equals(r.path("__typename").asText())) {
            throw new BenchFailure("login " + user + " answered " + r);
        }
        return r.path("token").asText();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
