package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: one person's burst of sendPrompt stalled the whole service for 30 s (commands queued on the person's
 * credit ledger held every pool connection while the lock holder's snapshot needed one more). Now a burst is
 * answered at once, each prompt accepted or told Busy (or InsufficientCredits), while other people's requests go on
 * being served; and the money adds up afterwards: nothing held, available + captured = granted, a hold for every
 * accepted prompt and for nothing else.
 *
 * <p>One person sends 16, then 64, then 256 prompts at once, each from its own thread on its own connection, to
 * the packaged service with the offline model; another person reads their balance in a loop meanwhile.
 */
@ExtendWith(ServiceLogsOnFailure.class)
class PromptBurstIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GRANTED = 100_000_000;
    private static final String PASSWORD = "a long enough passphrase";
    private static final int[] BURSTS = {16, 64, 256};
    /**
     * The fault held requests for 30 s. Each of 256 answers within 5 s: the slowest of a 256-burst on the shared
     * 2-core machine has been measured at up to 2.06 s (PostgreSQL, 2026-12-02), so a 2 s bound failed on noise.
     */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(5);
    private static final Duration ME_BOUND = Duration.ofSeconds(1);
    private static final Set<String> ANSWERS = Set.of("PromptAccepted", "InsufficientCredits", "Busy");
    private static final String OBSERVER_ME = "{ me { id credits { available } } }";
    private static final String CREDITS = "{ me { credits { available held debt } } }";
    private static final String LEDGER_PAGE = """
            query Ledger($after: String) {
              creditLedger(first: 100, after: $after) {
                edges { node { kind amount reference } }
                pageInfo { hasNextPage endCursor }
              }
            }""";

    @TempDir
    Path temp;

    /** One request as the client saw it. */
    record Answer(int status, JsonNode body, Duration took, String failure) {

        String typename() {
            return body == null ? null : body.path("data").path("sendPrompt").path("__typename").asText(null);
        }
    }

    @Test
    void aBurstIsAnsweredAtOnceOthersAreServedAndTheMoneyAddsUp() throws Exception {
        Map<String, String> env = Map.of("KIMI_SIGNUP_CREDITS", Long.toString(GRANTED),
                "KIMI_MODEL_OFFLINE_CHUNK_DELAY", "0ms");
        // the JIT of a service that runs in production (the tests' default stops at C1 for a fast start)
        try (ServiceProcess service = ServiceBackend.service(temp.resolve("data"), env).jvmArgs(List.of("-Xmx1g"))
                .start()) {
            GraphQlClient client = service.client();
            String burster = signUp(client, "Burst Sender", "burst@example.org", "burst_sender");
            String observer = signUp(client, "Balance Reader", "reader@example.org", "balance_reader");
            awaitSignupCredits(client, burster);
            awaitSignupCredits(client, observer);
            // the service has answered a prompt before (another person's), as a running service has
            JsonNode warmUp = client.executeAs(observer, PromptsIT.SEND, sendInput("warm-up")).data().path("sendPrompt");
            assertThat(warmUp.path("__typename").asText()).as(warmUp.toString()).isEqualTo("PromptAccepted");

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            // and it is warm, as a running service is: a third person's untimed bursts and the reader's own reads
            // compile the paths that the timed bursts take (a cold JIT, not the service, would be measured)
            String warmer = signUp(client, "Warm Up", "warm@example.org", "warm_up");
            awaitSignupCredits(client, warmer);
            for (int size : new int[] {32, 128, 32}) {
                burst(http, service.baseUrl(), warmer, size);
            }
            for (int i = 0; i < 200; i++) {
                client.executeAs(observer, OBSERVER_ME, Map.of());
            }
            // a client of its own, as the other person has: the burst's connections do not delay its reads
            Observer reader = new Observer(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build(), service.baseUrl(), observer);
            Thread readerThread = new Thread(reader, "balance-reader");
            readerThread.start();

            List<String> problems = new ArrayList<>();
            Set<String> accepted = new HashSet<>();
            try {
                for (int size : BURSTS) {
                    List<Answer> answers = burst(http, service.baseUrl(), burster, size);
                    Map<String, List<Long>> millisByType = new TreeMap<>();
                    for (Answer a : answers) {
                        String type = a.failure() != null ? "failed" : String.valueOf(a.typename());
                        millisByType.computeIfAbsent(type, t -> new ArrayList<>()).add(a.took().toMillis());
                        problems.addAll(problemsOf(size, a));
                        if ("PromptAccepted".equals(type)) {
                            accepted.add(a.body().path("data").path("sendPrompt").path("promptId").asText());
                        }
                    }
                    StringBuilder summary = new StringBuilder();
                    millisByType.forEach((type, millis) -> {
                        Collections.sort(millis);
                        summary.append(String.format(" %s %d (median %d ms, slowest %d ms);", type, millis.size(),
                                millis.get(millis.size() / 2), millis.get(millis.size() - 1)));
                    });
                    System.out.printf("burst of %d:%s slowest balance read so far %d ms (%d reads)%n", size,
                            summary, reader.slowest().toMillis(), reader.reads());
                }
            } finally {
                reader.stop();
                readerThread.join(10_000);
            }

            // every finding at once: a slow answer does not hide whether the money adds up
            SoftAssertions softly = new SoftAssertions();
            softly.assertThat(problems).as("answers that were not a prompt result in time (%d)", problems.size())
                    .isEmpty();
            softly.assertThat(accepted).as("accepted prompts").isNotEmpty();
            softly.assertThat(reader.problems()).as("balance reads of the other person that failed").isEmpty();
            softly.assertThat(reader.reads()).as("balance reads during the bursts").isGreaterThanOrEqualTo(5);
            softly.assertThat(reader.slowest()).as("slowest balance read of the other person during the bursts")
                    .isLessThanOrEqualTo(ME_BOUND);
            assertTheMoneyAddsUp(softly, client, burster, accepted);
            softly.assertAll();
        }
    }

    private static List<String> problemsOf(int size, Answer a) {
        List<String> problems = new ArrayList<>();
        String where = "burst of " + size + ": ";
        if (a.failure() != null) {
            problems.add(where + "no answer after " + a.took().toMillis() + " ms: " + a.failure());
            return problems;
        }
        if (a.status() / 100 != 2) {
            problems.add(where + "HTTP " + a.status() + ": " + a.body());
        }
        if (a.body().has("errors")) {
            problems.add(where + "GraphQL errors: " + a.body().path("errors"));
        }
        if (!ANSWERS.contains(a.typename())) {
            problems.add(where + "answered " + a.typename() + ": " + a.body());
        }
        if (a.took().compareTo(ANSWER_BOUND) > 0) {
            problems.add(where + a.typename() + " after " + a.took().toMillis() + " ms");
        }
        return problems;
    }

    /**
     * {@code size} sendPrompt requests, each from its own thread, all released at once; each answer is timed from
     * just before its request is sent until its whole body has arrived.
     */
    private static List<Answer> burst(HttpClient http, String baseUrl, String token, int size) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(size);
        try {
            CountDownLatch ready = new CountDownLatch(size);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Answer>> sent = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String payload = JSON.writeValueAsString(Map.of("query", PromptsIT.SEND,
                        "variables", sendInput("burst " + size + " question " + i)));
                HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/graphql"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
                sent.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        Duration took = Duration.ofNanos(System.nanoTime() - t0);
                        JsonNode body;
                        try {
                            body = JSON.readTree(response.body());
                        } catch (Exception notJson) {
                            body = JSON.createObjectNode().put("raw", response.body());
                        }
                        return new Answer(response.statusCode(), body, took, null);
                    } catch (Exception e) {
                        return new Answer(0, null, Duration.ofNanos(System.nanoTime() - t0), String.valueOf(e));
                    }
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("%d sender threads ready", size).isTrue();
            go.countDown();
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> f : sent) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            threads.shutdownNow();
        }
    }

    /** Another person reading their balance in a loop; remembers the slowest read and anything that went wrong. */
    private static final class Observer implements Runnable {

        private final HttpClient http;
        private final HttpRequest request;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private volatile Duration slowest = Duration.ZERO;
        private volatile int reads;

        Observer(HttpClient http, String baseUrl, String token) throws Exception {
            this.http = http;
            this.request = HttpRequest.newBuilder(URI.create(baseUrl + "/graphql"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                            Map.of("query", OBSERVER_ME, "variables", Map.of())))).build();
        }

        @Override
        public void run() {
            while (!stopped.get()) {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    JsonNode body = JSON.readTree(response.body());
                    if (response.statusCode() != 200 || body.has("errors")
                            || !body.path("data").path("me").path("credits").path("available").isIntegralNumber()) {
                        problems.add("HTTP " + response.statusCode() + " after " + took.toMillis() + " ms: "
                                + response.body());
                    }
                    if (took.compareTo(slowest) > 0) {
                        slowest = took;
                    }
                    reads++;
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    problems.add("after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + e);
                }
            }
        }

        void stop() {
            stopped.set(true);
        }

        Duration slowest() {
            return slowest;
        }

        int reads() {
            return reads;
        }

        List<String> problems() {
            return List.copyOf(problems);
        }
    }

    /**
     * Once every accepted prompt has settled: nothing held, no debt, available + captured = granted (the signup
     * grant), and the ledger holds exactly the accepted prompts (a Busy or InsufficientCredits answer held nothing),
     * each closed by a release.
     */
    private static void assertTheMoneyAddsUp(SoftAssertions softly, GraphQlClient client, String token,
                                             Set<String> accepted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Ledger ledger;
        JsonNode credits;
        while (true) {
            credits = client.executeAs(token, CREDITS, Map.of()).data().path("me").path("credits");
            ledger = ledger(client, token);
            boolean settled = credits.path("held").asLong() == 0 && ledger.released.containsAll(accepted)
                    && credits.path("available").asLong() + ledger.captured == GRANTED;
            if (settled || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
        }
        System.out.printf("settled: %d accepted, balance %s, ledger: granted %d, captured %d in %d captures%n",
                accepted.size(), credits, ledger.granted, ledger.captured, ledger.captures);
        softly.assertThat(credits.path("held").asLong()).as("held after settling").isZero();
        softly.assertThat(credits.path("debt").asLong()).as("debt").isZero();
        softly.assertThat(ledger.granted).as("granted on the ledger").isEqualTo(GRANTED);
        softly.assertThat(ledger.held).as("prompts with a hold on the ledger").isEqualTo(accepted);
        softly.assertThat(ledger.released).as("prompts whose hold was released (settled or failed)")
                .isEqualTo(accepted);
        softly.assertThat(ledger.captures).as("captures").isPositive().isLessThanOrEqualTo(accepted.size());
        softly.assertThat(credits.path("available").asLong() + ledger.captured).as("available + captured")
                .isEqualTo(GRANTED);
    }

    /** The ledger view summed up: prompt ids by their entries' references ("prompt:<id>" or "prompt:<id>:code"). */
    private static final class Ledger {
        long granted;
        long captured;
        int captures;
        final Set<String> held = new HashSet<>();
        final Set<String> released = new HashSet<>();
    }

    private static Ledger ledger(GraphQlClient client, String token) throws Exception {
        Ledger ledger = new Ledger();
        String after = null;
        do {
            Map<String, Object> variables = new HashMap<>();
            variables.put("after", after);
            GraphQlClient.Response response = client.executeAs(token, LEDGER_PAGE, variables);
            assertThat(response.errors().isMissingNode()).as(response.raw()).isTrue();
            JsonNode page = response.data().path("creditLedger");
            for (JsonNode edge : page.path("edges")) {
                JsonNode entry = edge.path("node");
                String reference = entry.path("reference").asText("");
                String prompt = reference.startsWith("prompt:") ? reference.split(":")[1] : null;
                switch (entry.path("kind").asText()) {
                    case "grant" -> ledger.granted += entry.path("amount").asLong();
                    case "hold" -> ledger.held.add(prompt);
                    case "release" -> ledger.released.add(prompt);
                    case "capture" -> {
                        ledger.captured -= entry.path("amount").asLong();
                        ledger.captures++;
                    }
                    default -> throw new AssertionError("unknown ledger entry " + entry);
                }
            }
            after = page.path("pageInfo").path("hasNextPage").asBoolean() ? page.path("pageInfo")
                    .path("endCursor").asText() : null;
        } while (after != null);
        return ledger;
    }

    private static Map<String, Object> sendInput(String content) {
        return Map.of("input", Map.of("content", content, "maxTokens", 64));
    }

    private static String signUp(GraphQlClient client, String name, String email, String username) throws Exception {
        JsonNode registered = client.execute(REGISTER, registerInput(name, email, username, PASSWORD)).data()
                .path("register");
        assertThat(registered.path("__typename").asText()).as(registered.toString()).isEqualTo("Registered");
        JsonNode login = client.execute(LOGIN, loginInput(username, PASSWORD)).data().path("login");
        assertThat(login.path("__typename").asText()).as(login.toString()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    /** The signup grant arrives through a policy after registration; a burst before it would find no ledger. */
    private static void awaitSignupCredits(GraphQlClient client, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long available = 0;
        while (System.nanoTime() < deadline) {
            available = client.executeAs(token, CREDITS, Map.of()).data().path("me").path("credits")
                    .path("available").asLong();
            if (available == GRANTED) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(available).as("signup credits").isEqualTo(GRANTED);
    }
}
