package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;
import net.kimik2.command.conversations.TokenEstimator;
import net.kimik2.command.conversations.Usage;

import static net.kimik2.runtime.conversations.gateway.SseStub.delayed;
import static net.kimik2.runtime.conversations.gateway.SseStub.delta;
import static net.kimik2.runtime.conversations.gateway.SseStub.deltaWithNullUsage;
import static net.kimik2.runtime.conversations.gateway.SseStub.done;
import static net.kimik2.runtime.conversations.gateway.SseStub.errorEvent;
import static net.kimik2.runtime.conversations.gateway.SseStub.finishChunk;
import static net.kimik2.runtime.conversations.gateway.SseStub.keepAlive;
import static net.kimik2.runtime.conversations.gateway.SseStub.moonshotFinal;
import static net.kimik2.runtime.conversations.gateway.SseStub.pause;
import static net.kimik2.runtime.conversations.gateway.SseStub.roleChunk;
import static net.kimik2.runtime.conversations.gateway.SseStub.status;
import static net.kimik2.runtime.conversations.gateway.SseStub.stream;
import static net.kimik2.runtime.conversations.gateway.SseStub.streamThenCut;
import static net.kimik2.runtime.conversations.gateway.SseStub.topLevelUsage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.kimik2.runtime.conversations.gateway.ModelCallFailedException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpenAiCompatibleGatewayTest {

    private static final Duration TINY = Duration.ofMillis(200);
    private static final String KEY = "sk-test-not-a-real-key";

    private SseStub stub;
    private OpenAiCompatibleGateway gateway;
    private final List<String> deltas = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startStub() throws Exception {
        stub = new SseStub();
        gateway = gateway(3);
    }

    @AfterEach
    void stop() {
        gateway.close();
        stub.close();
    }

    /** Generous timeouts: tests that are not about timeouts must not trip over a slow (warming up) machine. */
    private OpenAiCompatibleGateway gateway(int maxAttempts) {
        return gateway(maxAttempts, Duration.ofSeconds(3), Duration.ofSeconds(3));
    }

    private OpenAiCompatibleGateway gateway(int maxAttempts, Duration firstToken, Duration idle) {
        if (gateway != null) {
            gateway.close();
        }
        return new OpenAiCompatibleGateway(OpenAiCompatibleGateway.Settings.of(stub.baseUrl(), KEY)
                .withTimeouts(Duration.ofSeconds(2), firstToken, idle)
                .withRetries(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(2)));
    }

    private static ChatRequest request() {
        return new ChatRequest(SseStub.MODEL, List.of(ChatMessage.system("Be brief."), ChatMessage.user("Say hello")),
                256, "req-42");
    }

    private Completion call() throws Exception {
        return gateway.complete(request(), deltas::add).get(8, TimeUnit.SECONDS);
    }

    private ModelCallFailedException callFails() {
        Throwable thrown = catchThrowable(() -> gateway.complete(request(), deltas::add).get(8, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ModelCallFailedException.class);
        return (ModelCallFailedException) thrown.getCause();
    }

    @Test
    void streamsDeltasAndReadsMoonshotUsageFromTheChoice() throws Exception {
        stub.then(stream(roleChunk(), keepAlive(), delta("Hel"), delta("lo"), delta(" world"),
                moonshotFinal("stop", 1113, 1024, 3), done()));

        Completion completion = call();

        assertThat(deltas).containsExactly("Hel", "lo", " world");
        assertThat(completion.text()).isEqualTo("Hello world");
        assertThat(completion.usage()).isEqualTo(new Usage(1113, 1024, 3));
        assertThat(completion.usageReported()).isTrue();
        assertThat(completion.finishReason()).isEqualTo("stop");
        assertThat(completion.modelId()).isEqualTo(SseStub.MODEL);

        assertThat(stub.received).hasSize(1);
        SseStub.Received received = stub.received.get(0);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/v1/chat/completions");
        assertThat(received.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(received.header("Content-Type")).isEqualTo("application/json");
        assertThat(received.header("Accept")).isEqualTo("text/event-stream");
        assertThat(received.json().get("model").asText()).isEqualTo(SseStub.MODEL);
        assertThat(received.json().get("max_tokens").asInt()).isEqualTo(256);
        assertThat(received.json().get("stream").asBoolean()).isTrue();
        assertThat(received.json().get("stream").isBoolean()).isTrue();
        assertThat(received.json().at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(received.json().get("messages")).hasSize(2);
        assertThat(received.json().at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(received.json().at("/messages/1/role").asText()).isEqualTo("user");
        assertThat(received.json().at("/messages/1/content").asText()).isEqualTo("Say hello");
    }

    @Test
    void readsOpenAiTopLevelUsageWithPromptTokensDetails() throws Exception {
        stub.then(stream(deltaWithNullUsage("Hi"), deltaWithNullUsage(" there"), finishChunk("stop"),
                topLevelUsage(50, 32, 2), done()));

        Completion completion = call();

        assertThat(completion.text()).isEqualTo("Hi there");
        assertThat(completion.usage()).isEqualTo(new Usage(50, 32, 2));
        assertThat(completion.usageReported()).isTrue();
        assertThat(completion.finishReason()).isEqualTo("stop");
    }

    @Test
    void prefersTopLevelUsageWhenAChunkCarriesBoth() throws Exception {
        String both = "data: {\"id\":\"c1\",\"model\":\"kimi-k2-0905-preview\",\"choices\":[{\"index\":0,\"delta\":{},"
                + "\"finish_reason\":\"stop\",\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,"
                + "\"total_tokens\":11,\"cached_tokens\":4}}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,"
                + "\"total_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":6}}}\n\n";
        stub.then(stream(delta("x"), both, done()));

        assertThat(call().usage()).isEqualTo(new Usage(10, 6, 1));
    }

    @Test
    void missingCachedTokensCountAsZeroAndCrlfLineEndsWork() throws Exception {
        String usage = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\",\"usage\":"
                + "{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}]}\r\n\r\n";
        stub.then(stream(delta("a").replace("\n", "\r\n"), delta("b"), usage, "data: [DONE]\r\n\r\n"));

        Completion completion = call();

        assertThat(completion.text()).isEqualTo("ab");
        assertThat(completion.usage()).isEqualTo(new Usage(7, 0, 2));
        assertThat(completion.finishReason()).isEqualTo("length");
    }

    @Test
    void decodesMultiByteCharactersSplitAcrossNetworkChunks() throws Exception {
        byte[] frame = delta("你好, Kimi ✓").getBytes(StandardCharsets.UTF_8);
        int split = delta("").indexOf("\"content\":\"") + "\"content\":\"".length() + 1; // inside 你
        stub.then(stream(Arrays.copyOfRange(frame, 0, split), pause(30), Arrays.copyOfRange(frame, split, frame.length),
                moonshotFinal("stop", 5, 0, 4), done()));

        assertThat(call().text()).isEqualTo("你好, Kimi ✓");
    }

    @Test
    void withoutAUsageReportTheCompletionIsEstimatedAndSaysSo() throws Exception {
        stub.then(stream(delta("one"), delta(" two"), finishChunk("stop"), done()));

        Completion completion = call();

        assertThat(completion.usageReported()).isFalse();
        assertThat(completion.usage())
                .isEqualTo(new Usage(TokenEstimator.estimatePromptTokens(request().messages()), 0, 2));
    }

    @Test
    void retriesA429HonouringRetryAfter() throws Exception {
        stub.then(status(429, Map.of("Retry-After", "1"), "{\"error\":{\"type\":\"rate_limit_reached_error\"}}"),
                status(429, Map.of("Retry-After", "0"), "{\"error\":{\"type\":\"rate_limit_reached_error\"}}"),
                stream(delta("ok"), moonshotFinal("stop", 3, 0, 1), done()));

        long start = System.nanoTime();
        Completion completion = call();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(completion.text()).isEqualTo("ok");
        assertThat(stub.received).hasSize(3);
        assertThat(elapsedMs).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(950);
    }

    @Test
    void aRetryAfterLongerThanTheMaximumFailsAtOnce() {
        stub.then(status(429, Map.of("Retry-After", "60"), "{}"));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.RATE_LIMITED);
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void aQuotaErrorIsNotRetried() {
        stub.then(status(429, Map.of(), "{\"error\":{\"type\":\"exceeded_current_quota_error\",\"message\":\"x\"}}"));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.RATE_LIMITED);
        assertThat(failure.attempts()).isEqualTo(1);
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void retriesA500BeforeTheFirstToken() throws Exception {
        stub.then(status(500, Map.of(), "{\"error\":{\"type\":\"server_error\"}}"),
                stream(roleChunk(), delta("fine"), moonshotFinal("stop", 3, 0, 1), done()));

        Completion completion = call();

        assertThat(completion.text()).isEqualTo("fine");
        assertThat(deltas).containsExactly("fine");
        assertThat(stub.received).hasSize(2);
        assertThat(stub.received.get(1).json()).isEqualTo(stub.received.get(0).json());
    }

    @Test
    void gives500sUpAfterMaxAttempts() {
        stub.then(status(503, Map.of(), "<html>busy</html>"));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.UPSTREAM_ERROR);
        assertThat(failure.attempts()).isEqualTo(3);
        assertThat(failure.partialText()).isEmpty();
        assertThat(failure.deliveredCompletionTokens()).isZero();
        assertThat(failure.usage()).isEmpty();
        assertThat(stub.received).hasSize(3);
    }

    @Test
    void aClientErrorIsNotRetried() {
        stub.then(status(401, Map.of(), "{\"error\":{\"type\":\"invalid_authentication_error\"}}"));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.UPSTREAM_ERROR);
        assertThat(failure.getMessage()).contains("401").contains("invalid_authentication_error");
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void anErrorEventBeforeTheFirstTokenIsRetried() throws Exception {
        stub.then(stream(roleChunk(), errorEvent("engine_overloaded_error")),
                stream(delta("back"), moonshotFinal("stop", 3, 0, 1), done()));

        assertThat(call().text()).isEqualTo("back");
        assertThat(stub.received).hasSize(2);
    }

    @Test
    void aConnectionDroppedAfterTwoDeltasIsAStreamCutWithThePartialText() {
        stub.then(streamThenCut(roleChunk(), delta("Hel"), delta("lo")));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.STREAM_CUT);
        assertThat(failure.partialText()).isEqualTo("Hello");
        assertThat(failure.deliveredCompletionTokens()).isEqualTo(2);
        assertThat(failure.usage()).isEmpty();
        assertThat(deltas).containsExactly("Hel", "lo");
        assertThat(stub.received).as("never retried after a token").hasSize(1);
    }

    @Test
    void aStreamEndingCleanlyWithoutDoneOrUsageIsAStreamCut() {
        stub.then(stream(delta("Hel"), delta("lo")));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.STREAM_CUT);
        assertThat(failure.partialText()).isEqualTo("Hello");
        assertThat(failure.deliveredCompletionTokens()).isEqualTo(2);
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void aStreamCutAfterTheUsageChunkStillSucceeds() throws Exception {
        stub.then(streamThenCut(delta("all"), delta(" there"), moonshotFinal("stop", 9, 0, 2)));

        Completion completion = call();

        assertThat(completion.text()).isEqualTo("all there");
        assertThat(completion.usage()).isEqualTo(new Usage(9, 0, 2));
    }

    @Test
    void aSlowFirstTokenTimesOutAfterRetries() {
        gateway = gateway(2, Duration.ofMillis(500), Duration.ofSeconds(3));
        stub.then(stream(roleChunk(), keepAlive(), pause(250), keepAlive(), pause(3_000), delta("late")));

        long start = System.nanoTime();
        ModelCallFailedException failure = callFails();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(failure.reason()).isEqualTo(Reason.TIMEOUT_FIRST_TOKEN);
        assertThat(failure.attempts()).isEqualTo(2);
        assertThat(stub.received).hasSize(2);
        assertThat(deltas).isEmpty();
        assertThat(elapsedMs).as("two attempts of 500 ms each").isBetween(990L, 3_500L);
    }

    @Test
    void slowHeadersCountAgainstTheFirstTokenTimeout() throws Exception {
        gateway = gateway(3, Duration.ofMillis(500), Duration.ofSeconds(3));
        stub.then(delayed(2_000, stream(delta("late"), done())),
                stream(delta("quick"), moonshotFinal("stop", 3, 0, 1), done()));

        Completion completion = call();

        assertThat(completion.text()).isEqualTo("quick");
        assertThat(stub.received).hasSize(2);
    }

    @Test
    void anIdleGapMidStreamTimesOutWithoutRetry() {
        gateway = gateway(3, Duration.ofSeconds(3), Duration.ofMillis(500));
        stub.then(stream(delta("Hel"), delta("lo"), keepAlive(), pause(300), keepAlive(), pause(3_000),
                delta(" late"), done()));

        long start = System.nanoTime();
        ModelCallFailedException failure = callFails();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(failure.reason()).isEqualTo(Reason.TIMEOUT_IDLE);
        assertThat(elapsedMs).as("the idle timeout, not the longer first-token one").isBetween(450L, 2_000L);
        assertThat(failure.partialText()).isEqualTo("Hello");
        assertThat(failure.deliveredCompletionTokens()).isEqualTo(2);
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void timeSpentInASlowListenerIsNotIdleTime() throws Exception {
        gateway = gateway(1, Duration.ofSeconds(3), Duration.ofMillis(200));
        stub.then(stream(delta("a"), delta("b"), moonshotFinal("stop", 3, 0, 2), done()));

        Completion completion = gateway.complete(request(), text -> {
            sleep(450);
            deltas.add(text);
        }).get(8, TimeUnit.SECONDS);

        assertThat(completion.text()).isEqualTo("ab");
        assertThat(deltas).containsExactly("a", "b");
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheStreamNorTheUsage() throws Exception {
        stub.then(stream(delta("one"), delta(" two"), delta(" three"), delta(" four"),
                moonshotFinal("stop", 20, 0, 4), done()));
        AtomicInteger calls = new AtomicInteger();

        Completion completion = gateway.complete(request(), text -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("client disconnected");
            }
            deltas.add(text);
        }).get(8, TimeUnit.SECONDS);

        assertThat(calls).hasValue(2);
        assertThat(deltas).containsExactly("one");
        assertThat(completion.text()).isEqualTo("one two three four");
        assertThat(completion.usage()).isEqualTo(new Usage(20, 0, 4));
        assertThat(completion.usageReported()).isTrue();
    }

    @Test
    void anEmptyAnswerFailsButKeepsTheUsage() {
        stub.then(stream(roleChunk(), moonshotFinal("content_filter", 12, 0, 0), done()));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.EMPTY_ANSWER);
        assertThat(failure.usage()).contains(new Usage(12, 0, 0));
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void aMalformedChunkAfterTokensFailsWithThePartialText() {
        stub.then(stream(delta("fine"), "data: {not json\n\n", done()));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(Reason.UPSTREAM_ERROR);
        assertThat(failure.partialText()).isEqualTo("fine");
        assertThat(failure.getMessage()).doesNotContain("not json");
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void aRefusedConnectionIsRetriedThenFails() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        gateway.close();
        gateway = new OpenAiCompatibleGateway(OpenAiCompatibleGateway.Settings
                .of("http://127.0.0.1:" + closedPort + "/v1", KEY)
                .withTimeouts(TINY, TINY, TINY)
                .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ZERO));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isIn(Reason.UPSTREAM_ERROR, Reason.TIMEOUT_CONNECT);
        assertThat(failure.attempts()).isEqualTo(2);
    }

    @Test
    void cancellingTheFutureAbortsTheUpstreamCall() throws Exception {
        Object[] steps = new Object[2 + 2 * 100];
        steps[0] = delta("a");
        for (int i = 1; i <= 100; i++) {
            steps[2 * i - 1] = pause(30);
            steps[2 * i] = keepAlive();
        }
        steps[steps.length - 1] = done();
        stub.then(stream(steps));
        CompletableFuture<Completion> future = gateway.complete(request(), deltas::add);
        waitFor(() -> !deltas.isEmpty());

        future.cancel(true);

        assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
        waitFor(() -> !stub.handlerErrors.isEmpty()); // the stub's next write hits a closed connection
    }

    @Test
    void settingsNeverPrintTheKey() {
        assertThat(gateway.settings().toString()).doesNotContain(KEY);
        assertThat(request().toString()).doesNotContain("Say hello");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in time");
            }
            sleep(10);
        }
    }
}
