package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.kimik2.bench.GraphQlClient.BenchFailure;

/**
 * End-to-end registration benchmark against the packaged service (embedded default), then a cheap-query baseline
 * and a replay of the account and balance views.
 *
 * <p>Settings come from {@code key=value} arguments or {@code -Dbench.key=value}; see {@link Settings}. Everything
 * goes to 127.0.0.1 only, and every phase is bounded in count and time.
 */
public final class RegistrationBench {

    private static final String POLICY_VERSION = "2026-01";
    // One password for every bench account: Argon2id costs the same for any input, and sampled logins stay simple.
    private static final String PASSWORD = "bench-password-2026";

    private static final String REGISTER = """
            mutation Register($input: RegisterInput!) {
              register(input: $input) {
                __typename
                ... on Registered { account { id credits { available } } }
                ... on ValidationFailed { field message }
                ... on AlreadyTaken { takenField: field }
              }
            }""";
    private static final String LOGIN = """
            mutation Login($input: LoginInput!) {
              login(input: $input) { __typename ... on LoggedIn { token } ... on InvalidCredentials { message } }
            }""";
    private static final String ME_CREDITS = "{ me { id credits { available } } }";
    private static final String ME_ID = "{ me { id } }";
    private static final String VIEW_PROCESSORS =
            "{ viewProcessors { name running replaying caughtUp position headPosition error } }";
    private static final String REPLAY = """
            mutation Replay($input: ReplayViewsInput!) {
              replayViews(input: $input) {
                __typename
                ... on ReplayStarted { processors startedAt }
                ... on ValidationFailed { field message }
              }
            }""";

    private final Settings settings;
    // failed requests or aborted phases: such a run is not published
    private final List<String> problems = new ArrayList<>();
    // answers that were served but broke a check (e.g. a stale balance): published, and flagged
    private final List<String> checkViolations = new ArrayList<>();
    private final AtomicInteger staleBalances = new AtomicInteger();
    private volatile String firstStaleBalance;
    private final Map<String, String> figures = new LinkedHashMap<>();
    private GraphQlClient client;
    private long servicePid;
    // usernames whose login and balance were verified; re-checked after the replay
    private List<String> sampledUsers = List.of();

    private RegistrationBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        System.exit(new RegistrationBench(settings).run());
    }

    private int run() throws Exception {
        System.out.println("registration bench: " + settings);
        // keep the service log next to the bench build when there is one, so it is easy to find afterwards
        Path logDir = Files.isDirectory(Path.of("bench/target")) ? Path.of("bench/target") : Path.of(System.getProperty("java.io.tmpdir"));
        Path logFile = logDir.resolve("registration-bench-" + System.currentTimeMillis() + ".service.log");
        Map<String, String> env = Map.of(
                "KIMI_ADMIN_PASSWORD", settings.adminPassword,
                "KIMI_SIGNUP_CREDITS", Long.toString(settings.signupCredits));
        long[] stopped;
        long dataBytes;
        long peakRss;
        try (ServiceProcess service = ServiceProcess.launch(settings.jar, settings.heap, env, logFile)) {
            System.out.println("service log: " + logFile + ", data: " + service.dataDir() + ", url: " + service.base());
            servicePid = service.pid();
            client = new GraphQlClient(service.base(), Duration.ofSeconds(settings.requestTimeoutSeconds));

            Duration startup = service.awaitHealthy(client, Duration.ofSeconds(settings.startupTimeoutSeconds));
            figures.put("start-up (launch to health UP)", seconds(startup.toNanos()));
            System.out.println("healthy after " + seconds(startup.toNanos()));

            try {
                registrationsAndBaseline();
                replay();
            } catch (BenchFailure | IllegalStateException e) {
                problems.add("aborted: " + e.getMessage());
            }

            if (!service.isAlive()) {
                // seen once: something outside the bench sent the service a SIGTERM mid-run
                problems.add("the service exited during the run without being stopped by the bench; see " + logFile);
            }
            peakRss = service.peakRssMiB();
            stopped = service.stop(Duration.ofSeconds(60));
            dataBytes = service.dataDirBytes();
            if (!settings.keepData) {
                service.deleteDataDir();
            }
        }
        figures.put("service peak RSS (VmHWM)", peakRss < 0 ? "n/a" : peakRss + " MiB");
        figures.put("stop (SIGTERM to exit)", stopped[1] < 0 ? "had already exited with " + stopped[0]
                : "exit code " + stopped[0] + " (128 + SIGTERM: normal for the JVM) after " + stopped[1] + " ms");
        figures.put("data directory after stop", String.format(Locale.ROOT, "%.1f MiB", dataBytes / 1048576.0));
        figures.put("service log", ServiceLog.summarize(logFile));

        String summary = markdown();
        System.out.println();
        System.out.println(summary);
        if (!problems.isEmpty()) {
            System.out.println("NOT appended to " + settings.out + " because of the problems above. Service log: " + logFile);
            return 1;
        }
        if (settings.append) {
            Files.writeString(settings.out, "\n" + summary, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("appended to " + settings.out);
        }
        return 0;
    }

    // ---------------------------------------------------------------- registrations and the me baseline

    private void registrationsAndBaseline() throws InterruptedException {
        Load.Result warmup = Load.count(settings.warmup, settings.clients, i -> register("w" + i));
        System.out.printf(Locale.ROOT, "warm-up: %d registrations, %d failures%n", warmup.succeeded(), warmup.failures().size());
        report("warm-up", warmup);

        staleBalances.set(0);
        CpuWatch registrationCpu = cpuWatch();
        Load.Result measured = Load.count(settings.registrations, settings.clients, i -> register("u" + i));
        figures.put("CPU during the registration window", registrationCpu.summary());
        report("registrations", measured);
        if (staleBalances.get() > 0) {
            checkViolations.add(staleBalances.get() + " of " + measured.succeeded()
                    + " Registered answers showed a balance other than the signup credits (read-your-writes), first: "
                    + firstStaleBalance);
        }
        figures.put(String.format(Locale.ROOT, "registrations (N=%d, C=%d, warm-up %d)", settings.registrations,
                settings.clients, settings.warmup), measured.succeeded() + " Registered, " + measured.failures().size() + " failed");
        figures.put("registration throughput", rate(measured.perSecond(), "registrations/s")
                + " (" + seconds(measured.wallNanos()) + " window)");
        figures.put("registration latency median / p90 / p99 / max", latencies(measured));
        figures.put("Registered answers whose credits.available != signup credits", staleBalances.get() + " of "
                + measured.succeeded());
        System.out.println("registrations: " + figures.get("registration throughput") + ", "
                + figures.get("registration latency median / p90 / p99 / max"));

        // Visibility through `me`, after the window so the extra Argon2 verifications do not skew the throughput.
        List<String> sampled = new ArrayList<>();
        for (int i = 0; i < settings.registrations; i += settings.sampleEvery) {
            sampled.add("u" + i);
        }
        Map<String, String> tokens = new ConcurrentHashMap<>();
        Load.Result logins = Load.count(sampled.size(), 1, i -> {
            String username = username(sampled.get(i));
            String token = login(username, PASSWORD);
            tokens.put(username, token);
            checkCredits(token, username);
        });
        report("sampled login + me", logins);
        figures.put("sampled login + `me { credits }` checks (every " + settings.sampleEvery + "th)",
                logins.succeeded() + "/" + sampled.size() + " ok; login + me median "
                        + millis(logins.percentileMillis(0.5)));

        if (tokens.isEmpty()) {
            throw new BenchFailure("no sampled login succeeded; cannot run the me baseline");
        }
        List<String> tokenList = List.copyOf(tokens.values());
        // a short unmeasured warm-up of the query path, then the measured window
        Load.timed(200, 10, settings.clients, i -> me(tokenList.get(i % tokenList.size())));
        CpuWatch baselineCpu = cpuWatch();
        Load.Result baseline = Load.timed(settings.baselineMax, settings.baselineSeconds, settings.clients,
                i -> me(tokenList.get(i % tokenList.size())));
        report("me baseline", baseline);
        figures.put(String.format(Locale.ROOT, "`{ me { id } }` baseline (C=%d, %d queries in %s)", settings.clients,
                baseline.succeeded(), seconds(baseline.wallNanos())),
                rate(baseline.perSecond(), "queries/s") + "; median " + millis(baseline.percentileMillis(0.5))
                        + ", p99 " + millis(baseline.percentileMillis(0.99)));
        figures.put("registrations vs me queries", String.format(Locale.ROOT,
                "1 registration per %.0f me queries (throughput); median latency ratio %.0fx",
                baseline.perSecond() / measured.perSecond(),
                measured.percentileMillis(0.5) / baseline.percentileMillis(0.5)));
        figures.put("CPU during the me baseline", baselineCpu.summary());
        System.out.println("me baseline: " + rate(baseline.perSecond(), "queries/s"));
        sampledUsers = List.copyOf(tokens.keySet());
    }

    private void register(String suffix) {
        String username = username(suffix);
        Map<String, Object> input = Map.of(
                "name", "Bench User " + suffix,
                "email", username + "@bench.example.org",
                "username", username,
                "password", PASSWORD,
                "acceptedPolicyVersion", POLICY_VERSION);
        JsonNode result = client.execute(REGISTER, Map.of("input", input), null).path("register");
        if (!"Registered".equals(result.path("__typename").asText())) {
            throw new BenchFailure("register " + username + " answered " + result);
        }
        JsonNode account = result.path("account");
        if (account.path("id").asText().isEmpty()) {
            throw new BenchFailure("register " + username + ": no account id in " + account);
        }
        // A Registered answer with another balance breaks the read-your-writes promise, but the registration
        // itself happened: count it apart from failed requests, so the latency figures stay complete.
        if (account.path("credits").path("available").asLong(-1) != settings.signupCredits) {
            if (staleBalances.getAndIncrement() == 0) {
                firstStaleBalance = username + " answered " + account;
            }
        }
    }

    private String username(String suffix) {
        return "bench_" + suffix;
    }

    private String login(String usernameOrEmail, String password) {
        JsonNode result = client.execute(LOGIN,
                Map.of("input", Map.of("usernameOrEmail", usernameOrEmail, "password", password)), null).path("login");
        if (!"LoggedIn".equals(result.path("__typename").asText())) {
            throw new BenchFailure("login " + usernameOrEmail + " answered " + result);
        }
        return result.path("token").asText();
    }

    private void checkCredits(String token, String username) {
        JsonNode me = client.execute(ME_CREDITS, null, token).path("me");
        if (me.isNull() || me.isMissingNode() || me.path("credits").path("available").asLong(-1) != settings.signupCredits) {
            throw new BenchFailure("me of " + username + " answered " + me);
        }
    }

    private void me(String token) {
        JsonNode me = client.execute(ME_ID, null, token).path("me");
        if (me.path("id").asText().isEmpty()) {
            throw new BenchFailure("me answered " + me);
        }
    }

    // ---------------------------------------------------------------- replay

    private void replay() throws InterruptedException {
        String admin = login("admin", settings.adminPassword);
        Map<String, JsonNode> before = viewProcessors(admin);
        System.out.println("view processors before the replay: " + before.values());

        CpuWatch replayCpu = cpuWatch();
        long start = System.nanoTime();
        JsonNode started = client.execute(REPLAY, Map.of("input", Map.of("processors", settings.replayProcessors)), admin)
                .path("replayViews");
        long acknowledged = System.nanoTime() - start;
        if (!"ReplayStarted".equals(started.path("__typename").asText())) {
            throw new BenchFailure("replayViews answered " + started);
        }

        // Done = caughtUp and position at the head: Axon's replaying flag may stay set until the next event arrives.
        long deadline = start + Duration.ofSeconds(settings.replayTimeoutSeconds).toNanos();
        Map<String, Long> doneAfter = new LinkedHashMap<>();
        Map<String, JsonNode> last = Map.of();
        int polls = 0;
        while (doneAfter.size() < settings.replayProcessors.size()) {
            if (System.nanoTime() > deadline) {
                throw new BenchFailure("replay not done within " + settings.replayTimeoutSeconds + " s; last status " + last.values());
            }
            Thread.sleep(50);
            last = viewProcessors(admin);
            polls++;
            for (String name : settings.replayProcessors) {
                JsonNode status = last.get(name);
                if (status == null) {
                    throw new BenchFailure("viewProcessors does not list " + name);
                }
                if (!status.path("error").isNull() && !status.path("error").isMissingNode()) {
                    throw new BenchFailure("processor " + name + " in error: " + status);
                }
                if (!doneAfter.containsKey(name) && done(status)) {
                    doneAfter.put(name, System.nanoTime() - start);
                }
            }
        }
        long wall = doneAfter.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        Map<String, JsonNode> finalStatus = last;
        long head = settings.replayProcessors.stream()
                .mapToLong(n -> finalStatus.get(n).path("headPosition").asLong(0)).max().orElse(0);
        figures.put("CPU during the replay", replayCpu.summary());
        System.out.println("view processors after the replay: " + viewProcessors(admin).values());

        StringBuilder perProcessor = new StringBuilder();
        doneAfter.forEach((name, nanos) -> perProcessor.append(perProcessor.length() == 0 ? "" : ", ")
                .append(name).append(' ').append(seconds(nanos)));
        figures.put("replay " + String.join(" + ", settings.replayProcessors) + " (" + head + " events in the store)",
                seconds(wall) + " wall = " + rate(head / (wall / 1e9), "events/s") + " (" + perProcessor
                        + "; replayViews acknowledged in " + millis(acknowledged / 1e6) + ", " + polls + " polls)");

        // The rebuilt views must serve logins and balances again.
        List<String> check = sampledUsers.subList(0, Math.min(settings.replayChecks, sampledUsers.size()));
        Load.Result after = Load.count(check.size(), 1, i -> checkCredits(login(check.get(i), PASSWORD), check.get(i)));
        report("views after the replay", after);
        figures.put("views after the replay (login + `me { credits }`)", after.succeeded() + "/" + check.size() + " sampled accounts ok");
    }

    private CpuWatch cpuWatch() {
        return CpuWatch.start(servicePid, ProcessHandle.current().pid());
    }

    private static boolean done(JsonNode status) {
        JsonNode position = status.path("position");
        JsonNode head = status.path("headPosition");
        return status.path("caughtUp").asBoolean(false)
                && position.isNumber() && head.isNumber() && position.asLong() >= head.asLong();
    }

    private Map<String, JsonNode> viewProcessors(String adminToken) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode processor : client.execute(VIEW_PROCESSORS, null, adminToken).path("viewProcessors")) {
            byName.put(processor.path("name").asText(), processor);
        }
        return byName;
    }

    // ---------------------------------------------------------------- reporting

    private void report(String phase, Load.Result result) {
        if (!result.failures().isEmpty()) {
            problems.add(phase + ": " + result.failures().size() + " failures, first: " + result.failures().get(0));
        }
    }

    private String markdown() {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        StringBuilder md = new StringBuilder();
        md.append("### Registration bench run ").append(now)
                .append(!problems.isEmpty() ? " (FAILED)" : !checkViolations.isEmpty() ? " (check violations)" : "")
                .append("\n\n");
        md.append("- command: `").append(settings.command).append("`\n");
        md.append("- service: `").append(settings.jar).append("`, `-Xmx").append(settings.heap)
                .append("`, embedded default (H2 event store, mongo-java-server views), signup credits ")
                .append(settings.signupCredits).append(", ").append(settings.revision).append('\n');
        md.append("- machine: nproc ").append(Machine.run("nproc").trim()).append(", ").append(Machine.cpuModel())
                .append(", ").append(Machine.freeMemLine()).append('\n');
        md.append("- java: ").append(Machine.javaVersion(ServiceProcess.javaExecutable())).append("\n\n");
        md.append("| metric | value |\n|---|---|\n");
        figures.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
        if (!problems.isEmpty()) {
            md.append("\nProblems:\n");
            problems.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        if (!checkViolations.isEmpty()) {
            md.append("\nCheck violations:\n");
            checkViolations.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        md.append("\n<details><summary>machine details</summary>\n\n```\n$ nproc\n").append(Machine.run("nproc"))
                .append("$ free -g\n").append(Machine.run("free", "-g"))
                .append("$ java -version\n").append(Machine.run(ServiceProcess.javaExecutable(), "-version"))
                .append("```\n</details>\n");
        return md.toString();
    }

    private static String latencies(Load.Result r) {
        return millis(r.percentileMillis(0.5)) + " / " + millis(r.percentileMillis(0.9)) + " / "
                + millis(r.percentileMillis(0.99)) + " / " + millis(r.maxMillis());
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.0f ms", ms);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String rate(double perSecond, String unit) {
        return String.format(Locale.ROOT, perSecond < 100 ? "%.1f %s" : "%.0f %s", perSecond, unit);
    }

    /** Bench settings: {@code key=value} arguments override {@code -Dbench.key=value}, which override defaults. */
    static final class Settings {
        int registrations;
        int clients;
        int warmup;
        int sampleEvery;
        double baselineSeconds;
        int baselineMax;
        int replayChecks;
        int startupTimeoutSeconds;
        int requestTimeoutSeconds;
        int replayTimeoutSeconds;
        long signupCredits;
        String heap;
        String adminPassword;
        List<String> replayProcessors;
        Path jar;
        Path out;
        boolean append;
        boolean keepData;
        String command;
        String revision;

        static Settings parse(String[] args) {
            Map<String, String> values = BenchArgs.parse(args);
            Settings s = new Settings();
            s.registrations = Integer.parseInt(values.getOrDefault("n", "1000"));
            s.clients = Integer.parseInt(values.getOrDefault("c", "4"));
            s.warmup = Integer.parseInt(values.getOrDefault("warmup", "50"));
            s.sampleEvery = Integer.parseInt(values.getOrDefault("sampleEvery", "50"));
            s.baselineSeconds = Double.parseDouble(values.getOrDefault("baselineSeconds", "15"));
            s.baselineMax = Integer.parseInt(values.getOrDefault("baselineMax", "200000"));
            s.replayChecks = Integer.parseInt(values.getOrDefault("replayChecks", "5"));
            s.startupTimeoutSeconds = Integer.parseInt(values.getOrDefault("startupTimeout", "180"));
            s.requestTimeoutSeconds = Integer.parseInt(values.getOrDefault("requestTimeout", "60"));
            s.replayTimeoutSeconds = Integer.parseInt(values.getOrDefault("replayTimeout", "600"));
            s.signupCredits = Long.parseLong(values.getOrDefault("signupCredits", "500000"));
            s.heap = values.getOrDefault("heap", "2g");
            s.adminPassword = values.getOrDefault("adminPassword", "bench-admin-password-2026");
            s.replayProcessors = Arrays.stream(values.getOrDefault("replay", "accounts-account,credits-balance").split(","))
                    .map(String::trim).filter(x -> !x.isEmpty()).toList();
            s.jar = Path.of(values.getOrDefault("jar", "app/target/kimi-backend.jar"));
            s.out = Path.of(values.getOrDefault("out", "docs/benchmarks.md"));
            s.append = Boolean.parseBoolean(values.getOrDefault("append", "true"));
            s.keepData = Boolean.parseBoolean(values.getOrDefault("keepData", "false"));
            s.command = values.getOrDefault("command",
                    "java -cp bench/target/kimi-bench.jar net.kimik2.bench.RegistrationBench " + String.join(" ", args));
            // the build under test, when the jar does not come from the working tree (e.g. jar=/tmp/export/...)
            s.revision = values.getOrDefault("revision", Machine.gitRevision());
            if (s.registrations < 1 || s.clients < 1 || s.sampleEvery < 1 || s.warmup < 0) {
                throw new IllegalArgumentException("n, c and sampleEvery must be positive, warmup not negative");
            }
            return s;
        }

        @Override
        public String toString() {
            return "n=" + registrations + " c=" + clients + " warmup=" + warmup + " sampleEvery=" + sampleEvery
                    + " baselineSeconds=" + baselineSeconds + " replay=" + replayProcessors + " jar=" + jar
                    + " heap=" + heap + " out=" + out + " append=" + append;
        }
    }
}
