package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.kimik2.bench.GraphQlClient.BenchFailure;

/**
 * Prompts end to end through GraphQL against the packaged service (embedded default, OFFLINE model), beside a
 * baseline of {@code me} queries from the same clients in the same run.
 *
 * <p>C closed-loop clients, each its own account (registered with {@code signupCredits}), bearer token and graphql-ws
 * socket. One prompt = {@code sendPrompt} over HTTP (a new conversation each time) until its {@code PromptAccepted}
 * answer, then {@code subscribe} to {@code promptStream} on the client's socket and read until the chunk with
 * {@code done: true} (and the operation's {@code complete}). Measured per prompt: time to the PromptAccepted
 * answer, to the first chunk and to the final chunk, each from the moment sendPrompt is sent.
 *
 * <p>Settings: {@code key=value} arguments or {@code -Dbench.key=value}; see {@link Settings}. Only 127.0.0.1;
 * every phase is bounded in count and time; warm-up prompts and queries are not in the figures.
 */
public final class PromptBench {

    private static final String POLICY_VERSION = "2026-01";
    private static final String PASSWORD = "bench-password-2026";
    /** OfflineModel.DEFAULT_CHUNK_DELAY, the service's default when KIMI_MODEL_OFFLINE_CHUNK_DELAY is unset. */
    private static final Duration SERVICE_DEFAULT_CHUNK_DELAY = Duration.ofMillis(10);

    private static final String REGISTER = """
            mutation Register($input: RegisterInput!) {
              register(input: $input) { __typename ... on Registered { account { id } } }
            }""";
    private static final String LOGIN = """
            mutation Login($input: LoginInput!) {
              login(input: $input) { __typename ... on LoggedIn { token } }
            }""";
    private static final String SEND = """
            mutation Send($input: SendPromptInput!) {
              sendPrompt(input: $input) {
                __typename
                ... on PromptAccepted { promptId conversationId heldCredits }
                ... on InsufficientCredits { available required }
                ... on ValidationFailed { field message }
                ... on Busy { retryAfterSeconds }
              }
            }""";
    private static final String STREAM = """
            subscription Stream($id: ID!) {
              promptStream(promptId: $id) { promptId seq delta done failureCode
                usage { promptTokens completionTokens costCredits } }
            }""";
    private static final String ME = "{ me { id credits { available } } }";
    private static final String BALANCE = "{ me { credits { available held debt } } }";

    private final Settings settings;
    private final List<String> problems = new ArrayList<>();
    private final List<String> checkViolations = new ArrayList<>();
    private final List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private GraphQlClient client;
    private HttpClient wsHttp;
    private URI wsUri;
    private long servicePid;
    private Client[] clients;

    private PromptBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        System.exit(new PromptBench(Settings.parse(args)).run());
    }

    /** One bench client: an account, its token, its socket, and the credits its answers cost. */
    private static final class Client {
        final String username;
        final String token;
        GraphQlWsClient ws;
        final AtomicLong costCredits = new AtomicLong();
        final AtomicInteger prompts = new AtomicInteger();

        Client(String username, String token) {
            this.username = username;
            this.token = token;
        }
    }

    /** Per-prompt timings of one phase, by operation index; only {@code ok} entries count. */
    private static final class PromptPhase {
        final long[] sendNanos;
        final long[] firstNanos;
        final long[] finalNanos;
        final int[] chunks;
        final int[] completionTokens;
        final boolean[] ok;
        final AtomicInteger busyAnswers = new AtomicInteger();
        final AtomicInteger busyStreams = new AtomicInteger();
        final AtomicReference<String> firstBusy = new AtomicReference<>();

        PromptPhase(int n) {
            sendNanos = new long[n];
            firstNanos = new long[n];
            finalNanos = new long[n];
            chunks = new int[n];
            completionTokens = new int[n];
            ok = new boolean[n];
        }

        int okCount() {
            int c = 0;
            for (boolean b : ok) {
                c += b ? 1 : 0;
            }
            return c;
        }

        long[] sorted(long[] values) {
            long[] out = new long[okCount()];
            int k = 0;
            for (int i = 0; i < ok.length; i++) {
                if (ok[i]) {
                    out[k++] = values[i];
                }
            }
            Arrays.sort(out);
            return out;
        }

        int[] sortedInts(int[] values) {
            int[] out = new int[okCount()];
            int k = 0;
            for (int i = 0; i < ok.length; i++) {
                if (ok[i]) {
                    out[k++] = values[i];
                }
            }
            Arrays.sort(out);
            return out;
        }
    }

    private int run() throws Exception {
        System.out.println("prompt bench: " + settings);
        String loadBefore = Machine.run("uptime").trim();
        System.out.println("uptime before the run: " + loadBefore);
        Path logDir = Files.isDirectory(Path.of("bench/target")) ? Path.of("bench/target") : Path.of(System.getProperty("java.io.tmpdir"));
        Path logFile = logDir.resolve("prompt-bench-" + System.currentTimeMillis() + ".service.log");
        Map<String, String> env = new HashMap<>();
        env.put("KIMI_SIGNUP_CREDITS", Long.toString(settings.signupCredits));
        if (settings.chunkDelay != null) {
            env.put("KIMI_MODEL_OFFLINE_CHUNK_DELAY", settings.chunkDelay);
        }
        long[] stopped;
        long dataBytes;
        long peakRss;
        try (ServiceProcess service = ServiceProcess.launch(settings.jar, settings.heap, env, logFile)) {
            System.out.println("service log: " + logFile + ", data: " + service.dataDir() + ", url: " + service.base());
            servicePid = service.pid();
            client = new GraphQlClient(service.base(), Duration.ofSeconds(settings.requestTimeoutSeconds));
            wsHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            wsUri = URI.create("ws://" + service.base().getAuthority() + "/graphql");

            Duration startup = service.awaitHealthy(client, Duration.ofSeconds(settings.startupTimeoutSeconds));
            figures.put("start-up (launch to health UP)", seconds(startup.toNanos()));
            System.out.println("healthy after " + seconds(startup.toNanos()));
            if (!Files.readString(logFile, StandardCharsets.UTF_8).contains("using the OFFLINE model")) {
                problems.add("the service log does not say it uses the OFFLINE model; see " + logFile);
            }

            try {
                setUpClients();
                measure();
                ledgerCheck();
            } catch (BenchFailure | IllegalStateException e) {
                problems.add("aborted: " + e.getMessage());
            } finally {
                if (clients != null) {
                    for (Client c : clients) {
                        if (c != null && c.ws != null) {
                            c.ws.close();
                        }
                    }
                }
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
        }
        figures.put("service peak RSS (VmHWM)", peakRss < 0 ? "n/a" : peakRss + " MiB");
        figures.put("stop (SIGTERM to exit)", stopped[1] < 0 ? "had already exited with " + stopped[0]
                : "exit code " + stopped[0] + " after " + stopped[1] + " ms");
        figures.put("data directory after stop", String.format(Locale.ROOT, "%.1f MiB", dataBytes / 1048576.0));
        figures.put("service log", ServiceLog.summarize(logFile));

        String summary = markdown(loadBefore);
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

    // ---------------------------------------------------------------- set-up

    private void setUpClients() throws InterruptedException {
        clients = new Client[settings.clients];
        Load.Result setup = Load.count(settings.clients, settings.clients, (c, i) -> {
            String username = "pbench_" + runId + "_" + i;
            Map<String, Object> input = Map.of(
                    "name", "Prompt Bench " + i,
                    "email", username + "@bench.example.org",
                    "username", username,
                    "password", PASSWORD,
                    "acceptedPolicyVersion", POLICY_VERSION);
            JsonNode registered = client.execute(REGISTER, Map.of("input", input), null).path("register");
            if (!"Registered".equals(registered.path("__typename").asText())) {
                throw new BenchFailure("register " + username + " answered " + registered);
            }
            JsonNode login = client.execute(LOGIN,
                    Map.of("input", Map.of("usernameOrEmail", username, "password", PASSWORD)), null).path("login");
            if (!"LoggedIn".equals(login.path("__typename").asText())) {
                throw new BenchFailure("login " + username + " answered " + login);
            }
            Client bench = new Client(username, login.path("token").asText());
            bench.ws = GraphQlWsClient.connect(wsHttp, wsUri, bench.token, Duration.ofSeconds(10));
            clients[i] = bench;
        });
        if (!setup.failures().isEmpty()) {
            throw new BenchFailure("setting up the clients failed: " + setup.failures().get(0));
        }
        // the signup grant lands asynchronously after Registered: wait until every balance shows it (bounded)
        for (Client c : clients) {
            awaitBalance(c, settings.signupCredits, 0);
        }
        System.out.println(settings.clients + " clients registered, logged in and connected");
    }

    // ---------------------------------------------------------------- measurement

    private void measure() throws InterruptedException {
        int c = settings.clients;
        PromptPhase warmPrompts = new PromptPhase(settings.warmup);
        Load.Result warm = Load.count(settings.warmup, c, (k, i) -> prompt(warmPrompts, k, i, "w"));
        report("warm-up prompts", warm);
        Load.Result warmMe = Load.count(settings.warmup, c, (k, i) -> me(k));
        report("warm-up me", warmMe);
        System.out.printf(Locale.ROOT, "warm-up: %d prompts (%d ok), %d me queries%n", settings.warmup,
                warmPrompts.okCount(), warmMe.succeeded());
        settle();

        CpuWatch meCpu = cpuWatch();
        Load.Result me = Load.count(settings.prompts, c, (k, i) -> me(k));
        String meCpuSummary = meCpu.summary();
        report("me baseline", me);
        System.out.println("me: " + rate(me.perSecond(), "queries/s") + ", median " + millis(me.percentileMillis(0.5)));
        settle();

        PromptPhase phase = new PromptPhase(settings.prompts);
        CpuWatch promptCpu = cpuWatch();
        Load.Result prompts = Load.count(settings.prompts, c, (k, i) -> prompt(phase, k, i, "m"));
        String promptCpuSummary = promptCpu.summary();
        report("prompts", prompts);

        int ok = phase.okCount();
        double promptsPerSecond = ok / (prompts.wallNanos() / 1e9);
        long[] send = phase.sorted(phase.sendNanos);
        long[] first = phase.sorted(phase.firstNanos);
        long[] fin = phase.sorted(phase.finalNanos);
        int[] chunkCounts = phase.sortedInts(phase.chunks);
        int[] tokens = phase.sortedInts(phase.completionTokens);
        if (ok == 0) {
            throw new BenchFailure("no prompt completed");
        }
        int busy = phase.busyAnswers.get() + phase.busyStreams.get();
        if (busy > 0) {
            checkViolations.add(busy + " Busy outcomes in the measured window (" + phase.busyAnswers.get()
                    + " sendPrompt answered Busy, " + phase.busyStreams.get() + " streams ended with failureCode BUSY), first: "
                    + phase.firstBusy.get());
        }
        int warmBusy = warmPrompts.busyAnswers.get() + warmPrompts.busyStreams.get();
        if (warmBusy > 0) {
            notes.add(warmBusy + " Busy outcomes during the warm-up, first: " + warmPrompts.firstBusy.get());
        }

        figures.put(String.format(Locale.ROOT, "prompts (N=%d, C=%d, warm-up %d)", settings.prompts, c, settings.warmup),
                ok + " streamed to done, " + busy + " Busy, " + prompts.failures().size() + " failed");
        figures.put("prompt throughput", rate(promptsPerSecond, "prompts/s") + " (" + seconds(prompts.wallNanos()) + " window)");
        figures.put("sendPrompt to PromptAccepted, median / p90 / p99 / max", latencies(send));
        figures.put("sendPrompt to first chunk, median / p90 / p99 / max", latencies(first));
        figures.put("sendPrompt to final chunk (done: true), median / p90 / p99 / max", latencies(fin));
        Duration delay = effectiveChunkDelay();
        int medianChunks = chunkCounts[chunkCounts.length / 2];
        double modelMillis = medianChunks * delay.toNanos() / 1e6;
        figures.put("chunks per answer (deltas + final), median (min-max)", medianChunks + " (" + chunkCounts[0] + "-"
                + chunkCounts[chunkCounts.length - 1] + "); completion tokens median " + tokens[tokens.length / 2]);
        figures.put("offline model's scheduled delay per answer", String.format(Locale.ROOT,
                "%d x %s = %s, %.0f %% of the median time to the final chunk%s", medianChunks,
                delay.toMillis() + " ms", millis(modelMillis), 100 * modelMillis / percentile(fin, 0.5),
                settings.chunkDelay == null ? " (chunk delay: service default)" : " (chunk delay set to " + settings.chunkDelay + ")"));
        figures.put("CPU during the prompt window", promptCpuSummary);
        figures.put(String.format(Locale.ROOT, "`%s` baseline (C=%d, %d queries in %s)", ME, c, me.succeeded(),
                seconds(me.wallNanos())), rate(me.perSecond(), "queries/s") + "; median / p90 / p99 / max "
                + millis(me.percentileMillis(0.5)) + " / " + millis(me.percentileMillis(0.9)) + " / "
                + millis(me.percentileMillis(0.99)) + " / " + millis(me.maxMillis()));
        figures.put("CPU during the me baseline", meCpuSummary);
        figures.put("prompts/s : me/s", String.format(Locale.ROOT, "1 : %.1f (%.3f)",
                me.perSecond() / promptsPerSecond, promptsPerSecond / me.perSecond()));
        figures.put("latency ratios to me (median, p99)", String.format(Locale.ROOT,
                "sendPrompt %.1fx, %.1fx; final chunk %.1fx, %.1fx",
                percentile(send, 0.5) / me.percentileMillis(0.5), percentile(send, 0.99) / me.percentileMillis(0.99),
                percentile(fin, 0.5) / me.percentileMillis(0.5), percentile(fin, 0.99) / me.percentileMillis(0.99)));
        System.out.println("prompts: " + figures.get("prompt throughput") + "; sendPrompt "
                + figures.get("sendPrompt to PromptAccepted, median / p90 / p99 / max") + "; final "
                + figures.get("sendPrompt to final chunk (done: true), median / p90 / p99 / max"));
    }

    private void prompt(PromptPhase phase, int k, int i, String tag) {
        Client c = clients[k];
        if (c.ws == null || !c.ws.isOpen()) {
            notes.add("client " + k + " reconnected its graphql-ws socket before " + tag + i);
            c.ws = GraphQlWsClient.connect(wsHttp, wsUri, c.token, Duration.ofSeconds(10));
        }
        Map<String, Object> input = new HashMap<>();
        input.put("content", "Bench prompt " + tag + i + " from client " + k + ": how long does an answer take?");
        input.put("idempotencyKey", "pb-" + runId + "-" + tag + i);
        if (settings.maxTokens > 0) {
            input.put("maxTokens", settings.maxTokens);
        }
        long t0 = System.nanoTime();
        JsonNode result = client.execute(SEND, Map.of("input", input), c.token).path("sendPrompt");
        long accepted = System.nanoTime() - t0;
        String type = result.path("__typename").asText();
        if ("Busy".equals(type)) {
            phase.busyAnswers.incrementAndGet();
            phase.firstBusy.compareAndSet(null, tag + i + ": sendPrompt answered " + result);
            return;
        }
        if (!"PromptAccepted".equals(type)) {
            throw new BenchFailure("sendPrompt " + tag + i + " answered " + result);
        }
        String promptId = result.path("promptId").asText();
        long deadline = t0 + Duration.ofSeconds(settings.promptTimeoutSeconds).toNanos();
        String opId = tag + i;
        GraphQlWsClient.Operation op = c.ws.subscribe(opId, STREAM, Map.of("id", promptId));
        try {
            long first = -1;
            int seq = 0;
            while (true) {
                GraphQlWsClient.Message m = op.await(deadline);
                if (!m.isNext()) {
                    throw new BenchFailure("promptStream " + opId + " ended with " + m.type() + " " + m.payload()
                            + " after " + seq + " chunks");
                }
                if (m.payload().has("errors")) {
                    throw new BenchFailure("promptStream " + opId + " errors: " + GraphQlClient.abbreviate(m.payload().toString()));
                }
                JsonNode chunk = m.payload().path("data").path("promptStream");
                long now = System.nanoTime() - t0;
                if (first < 0) {
                    first = now;
                }
                if (chunk.path("seq").asInt(-1) != seq || !promptId.equals(chunk.path("promptId").asText())) {
                    throw new BenchFailure("promptStream " + opId + ": expected seq " + seq + ", got " + chunk);
                }
                seq++;
                if (chunk.path("done").asBoolean(false)) {
                    String failure = chunk.path("failureCode").isNull() ? null : chunk.path("failureCode").asText(null);
                    if ("BUSY".equals(failure)) {
                        phase.busyStreams.incrementAndGet();
                        phase.firstBusy.compareAndSet(null, opId + ": stream ended with failureCode BUSY");
                        awaitComplete(op, opId, deadline);
                        return;
                    }
                    if (failure != null || !chunk.path("usage").isObject()) {
                        throw new BenchFailure("promptStream " + opId + " final chunk " + chunk);
                    }
                    phase.sendNanos[i] = accepted;
                    phase.firstNanos[i] = first;
                    phase.finalNanos[i] = now;
                    phase.chunks[i] = seq;
                    phase.completionTokens[i] = chunk.path("usage").path("completionTokens").asInt();
                    c.costCredits.addAndGet(chunk.path("usage").path("costCredits").asLong());
                    c.prompts.incrementAndGet();
                    awaitComplete(op, opId, deadline);
                    phase.ok[i] = true;
                    return;
                }
            }
        } finally {
            op.forget();
        }
    }

    /** After the final chunk the server ends the operation with {@code complete} (not part of the timings). */
    private static void awaitComplete(GraphQlWsClient.Operation op, String opId, long deadline) {
        GraphQlWsClient.Message end = op.await(deadline);
        if (!"complete".equals(end.type())) {
            throw new BenchFailure("promptStream " + opId + ": expected complete after the final chunk, got " + end);
        }
    }

    private void me(int k) {
        JsonNode me = client.execute(ME, null, clients[k].token).path("me");
        if (me.path("id").asText().isEmpty() || !me.path("credits").path("available").isNumber()) {
            throw new BenchFailure("me answered " + me);
        }
    }

    // ---------------------------------------------------------------- ledger check

    /** Every client's balance must end at signup credits minus the costs its final chunks reported, nothing held. */
    private void ledgerCheck() throws InterruptedException {
        int consistent = 0;
        for (Client c : clients) {
            if (awaitBalance(c, settings.signupCredits - c.costCredits.get(), 0)) {
                consistent++;
            }
        }
        long spent = Arrays.stream(clients).mapToLong(c -> c.costCredits.get()).sum();
        int answered = Arrays.stream(clients).mapToInt(c -> c.prompts.get()).sum();
        figures.put("ledger after the run (per client: available = signup - sum of usage.costCredits, held = 0, debt = 0)",
                consistent + "/" + clients.length + " clients consistent; " + answered + " answers cost " + spent
                        + " credits (" + (answered == 0 ? 0 : spent / answered) + " per answer)");
    }

    /** Polls the balance until it shows {@code available} and {@code held} (bounded); records a violation if not. */
    private boolean awaitBalance(Client c, long available, long held) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(settings.settleTimeoutSeconds).toNanos();
        JsonNode credits = null;
        while (System.nanoTime() < deadline) {
            credits = client.execute(BALANCE, null, c.token).path("me").path("credits");
            if (credits.path("available").asLong(-1) == available && credits.path("held").asLong(-1) == held
                    && credits.path("debt").asLong(-1) == 0) {
                return true;
            }
            Thread.sleep(100);
        }
        checkViolations.add(c.username + ": expected available " + available + ", held " + held + ", debt 0 within "
                + settings.settleTimeoutSeconds + " s, last " + credits);
        return false;
    }

    // ---------------------------------------------------------------- helpers and reporting

    private void settle() throws InterruptedException {
        if (settings.settleMillis > 0) {
            Thread.sleep(settings.settleMillis);
        }
    }

    private Duration effectiveChunkDelay() {
        return settings.chunkDelay == null ? SERVICE_DEFAULT_CHUNK_DELAY : Duration.parse(settings.chunkDelayIso());
    }

    private CpuWatch cpuWatch() {
        return CpuWatch.start(servicePid, ProcessHandle.current().pid());
    }

    private void report(String phase, Load.Result result) {
        if (!result.failures().isEmpty()) {
            problems.add(phase + ": " + result.failures().size() + " failures, first: " + result.failures().get(0));
        }
    }

    private String markdown(String loadBefore) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        StringBuilder md = new StringBuilder();
        md.append("### Prompt bench run ").append(now)
                .append(!problems.isEmpty() ? " (FAILED)" : !checkViolations.isEmpty() ? " (check violations)" : "")
                .append("\n\n");
        md.append("- command: `").append(settings.command).append("`\n");
        md.append("- service: `").append(settings.jar).append("`, `-Xmx").append(settings.heap)
                .append("`, embedded default (H2 event store, mongo-java-server views), OFFLINE model (no KIMI_MODEL_API_KEY), chunk delay ")
                .append(settings.chunkDelay == null ? "10 ms (service default)" : settings.chunkDelay + " (KIMI_MODEL_OFFLINE_CHUNK_DELAY)")
                .append(", signup credits ").append(settings.signupCredits)
                .append(settings.maxTokens > 0 ? ", maxTokens " + settings.maxTokens : ", maxTokens default")
                .append(", ").append(settings.revision).append('\n');
        md.append("- machine: nproc ").append(Machine.run("nproc").trim()).append(", ").append(Machine.cpuModel())
                .append(", ").append(Machine.freeMemLine()).append('\n');
        md.append("- load before the run: `").append(loadBefore).append("`\n");
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
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n");
            notes.stream().distinct().limit(10).forEach(p -> md.append("- ").append(p).append('\n'));
        }
        return md.toString();
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static String latencies(long[] sorted) {
        return millis(percentile(sorted, 0.5)) + " / " + millis(percentile(sorted, 0.9)) + " / "
                + millis(percentile(sorted, 0.99)) + " / " + millis(percentile(sorted, 1.0));
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
        int prompts;
        int clients;
        int warmup;
        int maxTokens;
        String chunkDelay;
        long signupCredits;
        int settleMillis;
        int settleTimeoutSeconds;
        int startupTimeoutSeconds;
        int requestTimeoutSeconds;
        int promptTimeoutSeconds;
        String heap;
        Path jar;
        Path out;
        boolean append;
        boolean keepData;
        String command;
        String revision;

        /** The chunk delay as an ISO-8601 duration: accepts "10ms", "0ms", "0.5s" or "PT0.01S". */
        String chunkDelayIso() {
            String d = chunkDelay.trim().toLowerCase(Locale.ROOT);
            if (d.startsWith("pt")) {
                return d.toUpperCase(Locale.ROOT);
            }
            if (d.endsWith("ms")) {
                return "PT" + new java.math.BigDecimal(d.substring(0, d.length() - 2)).movePointLeft(3).toPlainString() + "S";
            }
            if (d.endsWith("s")) {
                return "PT" + d.substring(0, d.length() - 1) + "S";
            }
            throw new IllegalArgumentException("chunkDelay: use e.g. 10ms, 0ms or 0.5s, got " + chunkDelay);
        }

        static Settings parse(String[] args) {
            Map<String, String> values = BenchArgs.parse(args);
            Settings s = new Settings();
            s.prompts = Integer.parseInt(values.getOrDefault("n", "500"));
            s.clients = Integer.parseInt(values.getOrDefault("c", "4"));
            s.warmup = Integer.parseInt(values.getOrDefault("warmup", "50"));
            s.maxTokens = Integer.parseInt(values.getOrDefault("maxTokens", "0"));
            s.chunkDelay = values.get("chunkDelay");
            s.signupCredits = Long.parseLong(values.getOrDefault("signupCredits", "100000000"));
            s.settleMillis = Integer.parseInt(values.getOrDefault("settleMillis", "2000"));
            s.settleTimeoutSeconds = Integer.parseInt(values.getOrDefault("settleTimeout", "60"));
            s.startupTimeoutSeconds = Integer.parseInt(values.getOrDefault("startupTimeout", "180"));
            s.requestTimeoutSeconds = Integer.parseInt(values.getOrDefault("requestTimeout", "60"));
            s.promptTimeoutSeconds = Integer.parseInt(values.getOrDefault("promptTimeout", "60"));
            s.heap = values.getOrDefault("heap", "2g");
            s.jar = Path.of(values.getOrDefault("jar", "app/target/kimi-backend.jar"));
            s.out = Path.of(values.getOrDefault("out", "docs/benchmarks.md"));
            s.append = Boolean.parseBoolean(values.getOrDefault("append", "true"));
            s.keepData = Boolean.parseBoolean(values.getOrDefault("keepData", "false"));
            s.command = values.getOrDefault("command",
                    "java -cp bench/target/kimi-bench.jar net.kimik2.bench.PromptBench " + String.join(" ", args));
            s.revision = values.getOrDefault("revision", Machine.gitRevision());
            if (s.prompts < 1 || s.clients < 1 || s.warmup < 0 || s.maxTokens < 0) {
                throw new IllegalArgumentException("n and c must be positive, warmup and maxTokens not negative");
            }
            if (s.chunkDelay != null) {
                Duration.parse(s.chunkDelayIso()); // fail fast on a bad value
            }
            return s;
        }

        @Override
        public String toString() {
            return "n=" + prompts + " c=" + clients + " warmup=" + warmup + " chunkDelay="
                    + (chunkDelay == null ? "service default (10ms)" : chunkDelay) + " maxTokens="
                    + (maxTokens == 0 ? "default" : maxTokens) + " signupCredits=" + signupCredits + " jar=" + jar
                    + " heap=" + heap + " out=" + out + " append=" + append;
        }
    }
}
