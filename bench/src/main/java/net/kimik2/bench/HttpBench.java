package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.kimik2.bench.GraphQlClient.BenchFailure;

/**
 * HTTP throughput and latency of {@code { ping }} against {@code { me { id name email credits { available } } }}
 * on the packaged service (embedded default), driven by the external load generator wrk.
 *
 * <p>wrk instead of the JDK client: a C event loop with keep-alive connections costs far less CPU per request than
 * the bench's own Java clients, so on a 2-core machine more of the CPU goes to the service being measured. ping is
 * the floor (HTTP + Spring for GraphQL, no security context lookup, no view read); me adds the bearer token lookup
 * and the account and balance views, so me/ping is what those cost.
 *
 * <p>One account, registered and logged in once. Warm-up rounds (a ping window, then a me window) repeat until two
 * consecutive windows of each kind are within {@code stableWithin} of each other, or {@code maxWarmupRounds}; then
 * {@code rounds} measured rounds alternate the same way, so drift (JIT, GC, a neighbour's build) hits both kinds
 * alike. Every response is checked by the wrk script (2xx, no GraphQL errors, the expected value in the body), and
 * before every window one request through {@link GraphQlClient} checks the answer in full; any failure marks the run
 * FAILED and it is not appended.
 *
 * <p>Settings: {@code key=value} arguments or {@code -Dbench.key=value}; see {@link Settings}. Only 127.0.0.1.
 */
public final class HttpBench {

    private static final String POLICY_VERSION = "2026-01";
    private static final String PASSWORD = "bench-password-2026";
    static final String PING = "{ ping }";
    static final String ME = "{ me { id name email credits { available } } }";
    private static final String REGISTER = """
            mutation Register($input: RegisterInput!) {
              register(input: $input) {
                __typename
                ... on Registered { account { id } }
                ... on ValidationFailed { field message }
                ... on AlreadyTaken { takenField: field }
              }
            }""";
    private static final String LOGIN = """
            mutation Login($input: LoginInput!) {
              login(input: $input) { __typename ... on LoggedIn { token } ... on InvalidCredentials { message } }
            }""";
    private static final Pattern CPU_WATCH = Pattern.compile("([0-9.]+) cores service \\+ bench, ([0-9.]+) cores other processes");
    // USER_HZ, the unit of /proc/<pid>/stat (as in CpuWatch)
    private static final double TICKS_PER_SECOND = 100;

    private final Settings settings;
    // failed requests, failed checks, aborted phases: such a run is not published
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final List<Window> warmupWindows = new ArrayList<>();
    private final List<Window> measuredWindows = new ArrayList<>();
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private GraphQlClient client;
    private long servicePid;
    private Path luaScript;
    private String token;
    private String userId;
    private String username;
    private int warmupRoundsRun;
    private boolean warmupStable;

    private HttpBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        System.exit(new HttpBench(Settings.parse(args)).run());
    }

    /** One wrk run: its figures as the Lua script reported them, and the CPU taken meanwhile. */
    record Window(String kind, boolean warmup, int round, int seconds, long requests, double rps, long p50Us, long p90Us,
                  long p99Us, long maxUs, long non2xx, long graphqlErrors, long unexpected, long socketErrors,
                  String firstBad, String cpu, double ownCores, double wrkCores, double otherCores) {

        long badResponses() {
            return non2xx + graphqlErrors + unexpected + socketErrors;
        }
    }

    private int run() throws Exception {
        System.out.println("http bench: " + settings);
        String wrkVersion = Machine.run(settings.wrk, "--version").lines().findFirst().orElse("").trim();
        if (!wrkVersion.startsWith("wrk ")) {
            System.err.println("wrk not found or not runnable (" + settings.wrk + ": " + wrkVersion
                    + "); install it (apt-get install -y wrk) or pass wrk=/path/to/wrk");
            return 2;
        }
        String loadBefore = Machine.run("uptime").trim();
        System.out.println("uptime before the run: " + loadBefore);
        Path logDir = Files.isDirectory(Path.of("bench/target")) ? Path.of("bench/target") : Path.of(System.getProperty("java.io.tmpdir"));
        Path logFile = logDir.resolve("http-bench-" + System.currentTimeMillis() + ".service.log");
        luaScript = extractLuaScript();

        long[] stopped;
        long dataBytes;
        long peakRss;
        try (ServiceProcess service = ServiceProcess.launch(settings.jar, settings.heap, Map.of(), logFile)) {
            System.out.println("service log: " + logFile + ", data: " + service.dataDir() + ", url: " + service.base());
            servicePid = service.pid();
            client = new GraphQlClient(service.base(), Duration.ofSeconds(settings.requestTimeoutSeconds));
            Duration startup = service.awaitHealthy(client, Duration.ofSeconds(settings.startupTimeoutSeconds));
            figures.put("start-up (launch to health UP)", seconds(startup.toNanos()));
            System.out.println("healthy after " + seconds(startup.toNanos()));

            try {
                setUpUser();
                String url = service.base().resolve("/graphql").toString();
                warmUp(url);
                measure(url);
                check("after the last window");
            } catch (BenchFailure | IllegalStateException | IOException e) {
                problems.add("aborted: " + e.getMessage());
            }

            if (!service.isAlive()) {
                problems.add("the service exited during the run without being stopped by the bench; see " + logFile);
            }
            peakRss = service.peakRssMiB();
            stopped = service.stop(Duration.ofSeconds(60));
            dataBytes = service.dataDirBytes();
            if (!settings.keepData) {
                service.deleteDataDir();
            }
        } finally {
            Files.deleteIfExists(luaScript);
            Files.deleteIfExists(luaScript.getParent());
        }
        figures.put("service peak RSS (VmHWM)", peakRss < 0 ? "n/a" : peakRss + " MiB");
        figures.put("stop (SIGTERM to exit)", stopped[1] < 0 ? "had already exited with " + stopped[0]
                : "exit code " + stopped[0] + " (128 + SIGTERM: normal for the JVM) after " + stopped[1] + " ms");
        figures.put("data directory after stop", String.format(Locale.ROOT, "%.1f MiB", dataBytes / 1048576.0));
        figures.put("service log", ServiceLog.summarize(logFile));

        String summary = markdown(loadBefore, wrkVersion);
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
        } else {
            System.out.println("not appended (append=false)");
        }
        return 0;
    }

    // ---------------------------------------------------------------- set-up and checks

    private void setUpUser() throws InterruptedException {
        username = "hbench_" + runId;
        Map<String, Object> input = Map.of(
                "name", "HTTP Bench",
                "email", username + "@bench.example.org",
                "username", username,
                "password", PASSWORD,
                "acceptedPolicyVersion", POLICY_VERSION);
        JsonNode registered = client.execute(REGISTER, Map.of("input", input), null).path("register");
        if (!"Registered".equals(registered.path("__typename").asText())) {
            throw new BenchFailure("register " + username + " answered " + registered);
        }
        userId = registered.path("account").path("id").asText();
        JsonNode login = client.execute(LOGIN,
                Map.of("input", Map.of("usernameOrEmail", username, "password", PASSWORD)), null).path("login");
        if (!"LoggedIn".equals(login.path("__typename").asText())) {
            throw new BenchFailure("login " + username + " answered " + login);
        }
        token = login.path("token").asText();
        // the signup grant lands asynchronously after Registered: measure me once the balance view shows it, so
        // every window reads the same documents (bounded wait)
        long deadline = System.nanoTime() + Duration.ofSeconds(settings.settleTimeoutSeconds).toNanos();
        JsonNode me = null;
        while (System.nanoTime() < deadline) {
            me = client.execute(ME, null, token).path("me");
            if (me.path("credits").path("available").asLong(0) > 0) {
                break;
            }
            Thread.sleep(100);
        }
        if (me == null || me.path("credits").path("available").asLong(0) <= 0) {
            throw new BenchFailure("the signup credits did not show in me within " + settings.settleTimeoutSeconds + " s: " + me);
        }
        check("before the warm-up");
        System.out.println("registered and logged in " + username + " (" + userId + "), credits "
                + me.path("credits").path("available").asLong());
    }

    /** One full request of each kind through the JDK client: ping is true and me is this user, without errors. */
    private void check(String when) {
        JsonNode ping = client.execute(PING, null, token);
        if (!ping.path("ping").asBoolean(false)) {
            throw new BenchFailure("ping check " + when + " answered " + ping);
        }
        JsonNode me = client.execute(ME, null, token).path("me");
        if (!userId.equals(me.path("id").asText()) || !me.path("credits").path("available").isNumber()) {
            throw new BenchFailure("me check " + when + " answered " + me + ", expected id " + userId);
        }
    }

    // ---------------------------------------------------------------- warm-up and measurement

    private void warmUp(String url) throws IOException, InterruptedException {
        List<Double> ping = new ArrayList<>();
        List<Double> me = new ArrayList<>();
        for (int round = 1; round <= settings.maxWarmupRounds; round++) {
            Window p = window(url, "ping", true, round, settings.warmupSeconds);
            Window m = window(url, "me", true, round, settings.warmupSeconds);
            ping.add(p.rps());
            me.add(m.rps());
            warmupRoundsRun = round;
            if (round >= 2 && within(ping.get(round - 2), p.rps()) && within(me.get(round - 2), m.rps())) {
                warmupStable = true;
                System.out.println("warm-up stable after " + round + " rounds");
                return;
            }
        }
        notes.add("warm-up did not reach two consecutive windows within " + percent(settings.stableWithin)
                + " for both kinds in " + plural(settings.maxWarmupRounds, "round") + "; measured anyway");
    }

    private void measure(String url) throws IOException, InterruptedException {
        for (int round = 1; round <= settings.rounds; round++) {
            window(url, "ping", false, round, settings.seconds);
            window(url, "me", false, round, settings.seconds);
        }
    }

    private boolean within(double previous, double current) {
        double high = Math.max(previous, current);
        return high > 0 && Math.abs(previous - current) / high <= settings.stableWithin;
    }

    /** Checks both kinds, then runs wrk for one window of {@code kind} and records it; bad responses fail the run. */
    private Window window(String url, String kind, boolean warmup, int round, int seconds) throws IOException, InterruptedException {
        check("before " + (warmup ? "warm-up" : "measured") + " round " + round + " " + kind);
        if (settings.gapMillis > 0) {
            Thread.sleep(settings.gapMillis); // lets the check's connection and the previous window's sockets close
        }
        boolean isMe = kind.equals("me");
        List<String> command = List.of(settings.wrk,
                "-t" + settings.threads, "-c" + settings.connections, "-d" + seconds + "s",
                "--timeout", settings.timeoutSeconds + "s",
                "-s", luaScript.toString(), url, "--",
                isMe ? ME : PING,
                // what a correct answer must contain: this user's id, or ping's true
                isMe ? userId : "\"ping\":true");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("KIMI_BENCH_TOKEN");
        if (isMe) {
            builder.environment().put("KIMI_BENCH_TOKEN", token);
        }
        long childTicksBefore = childTicks();
        Process wrk = builder.start();
        CpuWatch cpu = CpuWatch.start(servicePid, ProcessHandle.current().pid());
        String output;
        try (InputStream in = wrk.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
            throw new BenchFailure("wrk did not end within " + (seconds + 30) + " s");
        }
        String cpuSummary = cpu.summary();
        // wrk is reaped by now (waitFor), so its CPU time shows in our children's time; CpuWatch counts it as "other"
        double wrkCores = childTicksBefore < 0 ? Double.NaN : (childTicks() - childTicksBefore) / TICKS_PER_SECOND / seconds;
        if (wrk.exitValue() != 0) {
            throw new BenchFailure("wrk exited with " + wrk.exitValue() + ": " + GraphQlClient.abbreviate(output.trim()));
        }
        Map<String, String> r = parseResult(output);
        double own = Double.NaN;
        double other = Double.NaN;
        Matcher m = CPU_WATCH.matcher(cpuSummary);
        if (m.find()) {
            own = Double.parseDouble(m.group(1));
            other = Double.isNaN(wrkCores) ? Double.parseDouble(m.group(2)) : Math.max(0, Double.parseDouble(m.group(2)) - wrkCores);
        }
        Window w = new Window(kind, warmup, round, seconds, num(r, "requests"), Double.parseDouble(r.get("rps")),
                num(r, "p50_us"), num(r, "p90_us"), num(r, "p99_us"), num(r, "max_us"),
                num(r, "non2xx"), num(r, "graphql_errors"), num(r, "unexpected"),
                num(r, "connect") + num(r, "read") + num(r, "write") + num(r, "timeout"),
                r.getOrDefault("first_bad", ""), cpuSummary, own, wrkCores, other);
        (warmup ? warmupWindows : measuredWindows).add(w);
        System.out.printf(Locale.ROOT, "%s round %d %-4s %s, p50 %s p90 %s p99 %s max %s, %d requests, %d bad; CPU: service + bench %s, wrk %s, other %s%n",
                warmup ? "warm-up " : "measured", round, kind, rate(w.rps()), micros(w.p50Us()), micros(w.p90Us()),
                micros(w.p99Us()), micros(w.maxUs()), w.requests(), w.badResponses(), cores(own), cores(wrkCores), cores(other));
        if (w.requests() == 0) {
            throw new BenchFailure("wrk completed no request in the " + kind + " window; output: " + GraphQlClient.abbreviate(output.trim()));
        }
        if (w.badResponses() > 0) {
            throw new BenchFailure(String.format(Locale.ROOT,
                    "%s round %d %s: %d non-2xx, %d with GraphQL errors, %d without the expected value, %d socket errors"
                            + " (connect %s, read %s, write %s, timeout %s); first: %s",
                    warmup ? "warm-up" : "measured", round, kind, w.non2xx(), w.graphqlErrors(), w.unexpected(),
                    w.socketErrors(), r.get("connect"), r.get("read"), r.get("write"), r.get("timeout"), w.firstBad()));
        }
        return w;
    }

    /** The WRK_RESULT line (and WRK_FIRST_BAD, if any) the Lua script's done() prints. */
    static Map<String, String> parseResult(String output) {
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
        for (String key : List.of("requests", "rps", "p50_us", "p90_us", "p99_us", "max_us", "non2xx", "graphql_errors",
                "unexpected", "connect", "read", "write", "timeout")) {
            if (!values.containsKey(key)) {
                throw new BenchFailure("no WRK_RESULT line with " + key + " in wrk's output: " + GraphQlClient.abbreviate(output.trim()));
            }
        }
        return values;
    }

    private static long num(Map<String, String> r, String key) {
        // LuaJIT may print integral values of large numbers with a fraction; the figures are whole units anyway
        return Math.round(Double.parseDouble(r.get(key)));
    }

    /** User + system CPU ticks of our reaped children (/proc/self/stat cutime + cstime); -1 when unavailable. */
    private static long childTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the parenthesised command name: state is [0], cutime [13], cstime [14]
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The wrk script is a resource of the bench jar; wrk needs it as a file. */
    private static Path extractLuaScript() throws IOException {
        Path dir = Files.createTempDirectory("kimi-http-bench-");
        Path script = dir.resolve("graphql.lua");
        try (InputStream in = HttpBench.class.getResourceAsStream("/wrk/graphql.lua")) {
            if (in == null) {
                throw new IllegalStateException("wrk/graphql.lua is missing from the bench jar");
            }
            Files.copy(in, script);
        }
        return script;
    }

    // ---------------------------------------------------------------- reporting

    private String markdown(String loadBefore, String wrkVersion) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        StringBuilder md = new StringBuilder();
        md.append("### HTTP bench run ").append(now).append(!problems.isEmpty() ? " (FAILED)" : "").append("\n\n");
        md.append("- command: `").append(settings.command).append("`\n");
        md.append("- what: `").append(PING).append("` vs `").append(ME).append("`, POST /graphql (application/json), ")
                .append("`me` with one account's bearer token; closed loop, wrk -t").append(settings.threads)
                .append(" -c").append(settings.connections).append(", ").append(plural(settings.rounds, "measured round"))
                .append(" of one ping and one me window of ").append(settings.seconds)
                .append(" s each, after warm-up windows of ").append(settings.warmupSeconds).append(" s; every response checked (2xx, no `errors`, expected value)\n");
        md.append("- load generator: ").append(wrkVersion.replaceAll("\\s+Copyright.*", ""))
                .append(", timeout ").append(settings.timeoutSeconds).append(" s, on the same machine as the service\n");
        md.append("- service: `").append(settings.jar).append("`, `-Xmx").append(settings.heap)
                .append("`, embedded default (H2 event store, mongo-java-server views), ").append(settings.revision).append('\n');
        md.append("- machine: nproc ").append(Machine.run("nproc").trim()).append(", ").append(Machine.cpuModel())
                .append(", ").append(Machine.freeMemLine()).append('\n');
        md.append("- load before the run: `").append(loadBefore).append("`\n");
        md.append("- java: ").append(Machine.javaVersion(ServiceProcess.javaExecutable())).append('\n');
        md.append("- warm-up: ").append(plural(warmupRoundsRun, "round"))
                .append(warmupStable ? " (stable: last two within " + percent(settings.stableWithin) + ")"
                        : " (not stable within " + percent(settings.stableWithin) + ", max " + settings.maxWarmupRounds + ")")
                .append("; ping/s ").append(rates(warmupWindows, "ping")).append("; me/s ").append(rates(warmupWindows, "me"))
                .append("\n\n");

        md.append("| round | ping/s | me/s | me/ping | ping p50 / p99 | me p50 / p99 | CPU other processes, ping / me window |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        List<double[]> rounds = new ArrayList<>(); // ping/s, me/s, ratio, ping p99, me p99, me p50, ping p50
        for (int round = 1; round <= settings.rounds; round++) {
            Window p = find(measuredWindows, "ping", round);
            Window m = find(measuredWindows, "me", round);
            if (p == null || m == null) {
                break;
            }
            double ratio = m.rps() / p.rps();
            rounds.add(new double[] {p.rps(), m.rps(), ratio, p.p99Us(), m.p99Us(), m.p50Us(), p.p50Us()});
            md.append("| ").append(round).append(" | ").append(rate(p.rps())).append(" | ").append(rate(m.rps()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.3f", ratio))
                    .append(" | ").append(micros(p.p50Us())).append(" / ").append(micros(p.p99Us()))
                    .append(" | ").append(micros(m.p50Us())).append(" / ").append(micros(m.p99Us()))
                    .append(" | ").append(cores(p.otherCores())).append(" / ").append(cores(m.otherCores())).append(" |\n");
        }
        if (!rounds.isEmpty()) {
            md.append("\n| over ").append(plural(rounds.size(), "round"))
                    .append(" | median | min - max |\n|---|---|---|\n");
            spread(md, "ping/s", rounds, r -> r[0], HttpBench::rate);
            spread(md, "me/s", rounds, r -> r[1], HttpBench::rate);
            spread(md, "me/ping", rounds, r -> r[2], v -> String.format(Locale.ROOT, "%.3f", v));
            spread(md, "me p99", rounds, r -> r[4], v -> micros(Math.round(v)));
            spread(md, "me p50", rounds, r -> r[5], v -> micros(Math.round(v)));
            spread(md, "ping p99", rounds, r -> r[3], v -> micros(Math.round(v)));
            spread(md, "ping p50", rounds, r -> r[6], v -> micros(Math.round(v)));
        }

        List<Window> all = new ArrayList<>(warmupWindows);
        all.addAll(measuredWindows);
        figures.put("requests checked (warm-up + measured)", all.stream().mapToLong(Window::requests).sum() + ", "
                + all.stream().mapToLong(Window::badResponses).sum() + " bad (non-2xx, GraphQL errors, unexpected body, socket errors)");
        if (!measuredWindows.isEmpty()) {
            figures.put("CPU in measured windows (median cores): service + bench / wrk / other processes",
                    cores(median(measuredWindows, Window::ownCores)) + " / " + cores(median(measuredWindows, Window::wrkCores))
                            + " / " + cores(median(measuredWindows, Window::otherCores)));
            List<String> busy = measuredWindows.stream().filter(w -> w.otherCores() > settings.busyCores)
                    .map(w -> "round " + w.round() + " " + w.kind() + " (" + cores(w.otherCores()) + ")").toList();
            if (!busy.isEmpty()) {
                notes.add("other processes took more than " + settings.busyCores + " cores in " + String.join(", ", busy)
                        + ": those windows are not idle-machine figures");
            }
        }
        md.append("\n| metric | value |\n|---|---|\n");
        figures.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
        if (!problems.isEmpty()) {
            md.append("\nProblems:\n");
            problems.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n");
            notes.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        return md.toString();
    }

    private static Window find(List<Window> windows, String kind, int round) {
        return windows.stream().filter(w -> w.kind().equals(kind) && w.round() == round).findFirst().orElse(null);
    }

    private static String rates(List<Window> windows, String kind) {
        List<String> out = windows.stream().filter(w -> w.kind().equals(kind)).map(w -> rate(w.rps())).toList();
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    private static void spread(StringBuilder md, String name, List<double[]> rounds, ToDoubleFunction<double[]> value,
                               java.util.function.DoubleFunction<String> format) {
        double[] v = rounds.stream().mapToDouble(value).sorted().toArray();
        md.append("| ").append(name).append(" | ").append(format.apply(median(v))).append(" | ")
                .append(format.apply(v[0])).append(" - ").append(format.apply(v[v.length - 1])).append(" |\n");
    }

    private static double median(List<Window> windows, ToDoubleFunction<Window> value) {
        return median(windows.stream().mapToDouble(value).filter(d -> !Double.isNaN(d)).sorted().toArray());
    }

    /** Median of sorted values; the mean of the middle two for an even count. */
    private static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String micros(long us) {
        return String.format(Locale.ROOT, us < 10_000 ? "%.2f ms" : "%.1f ms", us / 1000.0);
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static String cores(double cores) {
        return Double.isNaN(cores) ? "n/a" : String.format(Locale.ROOT, "%.2f", cores);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f %%", fraction * 100);
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** Bench settings: {@code key=value} arguments override {@code -Dbench.key=value}, which override defaults. */
    static final class Settings {
        int connections;
        int threads;
        int seconds;
        int warmupSeconds;
        int rounds;
        int maxWarmupRounds;
        double stableWithin;
        int timeoutSeconds;
        int gapMillis;
        double busyCores;
        int settleTimeoutSeconds;
        int startupTimeoutSeconds;
        int requestTimeoutSeconds;
        String wrk;
        String heap;
        Path jar;
        Path out;
        boolean append;
        boolean keepData;
        String command;
        String revision;

        static Settings parse(String[] args) {
            Map<String, String> values = BenchArgs.parse(args);
            Settings s = new Settings();
            s.connections = Integer.parseInt(values.getOrDefault("connections", "8"));
            s.threads = Integer.parseInt(values.getOrDefault("threads", "2"));
            s.seconds = Integer.parseInt(values.getOrDefault("seconds", "15"));
            s.warmupSeconds = Integer.parseInt(values.getOrDefault("warmupSeconds", "10"));
            s.rounds = Integer.parseInt(values.getOrDefault("rounds", "5"));
            s.maxWarmupRounds = Integer.parseInt(values.getOrDefault("maxWarmupRounds", "6"));
            // two consecutive warm-up windows of each kind this close (relative) count as stable
            s.stableWithin = Double.parseDouble(values.getOrDefault("stableWithin", "0.05"));
            s.timeoutSeconds = Integer.parseInt(values.getOrDefault("timeout", "5"));
            s.gapMillis = Integer.parseInt(values.getOrDefault("gapMillis", "1000"));
            // a window where other processes took more than this is flagged as not an idle-machine figure
            s.busyCores = Double.parseDouble(values.getOrDefault("busyCores", "0.2"));
            s.settleTimeoutSeconds = Integer.parseInt(values.getOrDefault("settleTimeout", "60"));
            s.startupTimeoutSeconds = Integer.parseInt(values.getOrDefault("startupTimeout", "180"));
            s.requestTimeoutSeconds = Integer.parseInt(values.getOrDefault("requestTimeout", "30"));
            s.wrk = values.getOrDefault("wrk", "wrk");
            s.heap = values.getOrDefault("heap", "2g");
            s.jar = Path.of(values.getOrDefault("jar", "app/target/kimi-backend.jar"));
            s.out = Path.of(values.getOrDefault("out", "docs/benchmarks.md"));
            s.append = Boolean.parseBoolean(values.getOrDefault("append", "true"));
            s.keepData = Boolean.parseBoolean(values.getOrDefault("keepData", "false"));
            s.command = values.getOrDefault("command",
                    "java -cp bench/target/kimi-bench.jar net.kimik2.bench.HttpBench " + String.join(" ", args));
            s.revision = values.getOrDefault("revision", Machine.gitRevision());
            if (s.connections < 1 || s.threads < 1 || s.threads > s.connections) {
                throw new IllegalArgumentException("need 1 <= threads <= connections (wrk opens at least one connection per thread)");
            }
            if (s.seconds < 1 || s.warmupSeconds < 1 || s.rounds < 1 || s.maxWarmupRounds < 1 || s.timeoutSeconds < 1) {
                throw new IllegalArgumentException("seconds, warmupSeconds, rounds, maxWarmupRounds and timeout must be positive");
            }
            return s;
        }

        @Override
        public String toString() {
            return "connections=" + connections + " threads=" + threads + " seconds=" + seconds + " warmupSeconds="
                    + warmupSeconds + " rounds=" + rounds + " maxWarmupRounds=" + maxWarmupRounds + " stableWithin="
                    + stableWithin + " timeout=" + timeoutSeconds + "s wrk=" + wrk + " jar=" + jar + " heap=" + heap
                    + " out=" + out + " append=" + append;
        }
    }
}
