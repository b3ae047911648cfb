package net.kimik2.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.kimik2.app.e2e.MoonshotStub.CachedField;
import net.kimik2.app.e2e.MoonshotStub.Scenario;
import net.kimik2.app.e2e.MoonshotStub.UsagePlacement;
import net.kimik2.command.conversations.ChatMessage;
import net.kimik2.runtime.conversations.gateway.ChatRequest;
import net.kimik2.runtime.conversations.gateway.Completion;
import net.kimik2.runtime.conversations.gateway.ModelCallFailedException;
import net.kimik2.runtime.conversations.gateway.OpenAiCompatibleGateway;
import net.kimik2.command.conversations.Usage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stub against the service's own model client ({@link OpenAiCompatibleGateway}) and a plain HTTP client, so that
 * end-to-end tests built on it exercise the real wire format.
 */
class MoonshotStubTest {

    private static final String KEY = "sk-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MoonshotStub stub;
    private OpenAiCompatibleGateway gateway;
    private final List<String> deltas = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        stub = new MoonshotStub().requireApiKey(KEY);
        gateway = new OpenAiCompatibleGateway(OpenAiCompatibleGateway.Settings.of(stub.baseUrl(), KEY)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(3))
                .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        gateway.close();
        stub.close();
    }

    private Completion call() throws Exception {
        return gateway.complete(new ChatRequest(MoonshotStub.MODEL,
                List.of(ChatMessage.system("Be brief."), ChatMessage.user("Say hello")), 256, "req-1"), deltas::add)
                .get(8, TimeUnit.SECONDS);
    }

    @Test
    void streamsMoonshotUsageInTheChoiceAndRecordsTheRequest() throws Exception {
        stub.enqueue(Scenario.ok(List.of("Hel", "lo"), new MoonshotStub.Usage(120, 100, 2)));

        Completion completion = call();

        assertThat(deltas).containsExactly("Hel", "lo");
        assertThat(completion.usage()).isEqualTo(new Usage(120, 100, 2));
        assertThat(completion.usageReported()).isTrue();
        assertThat(completion.finishReason()).isEqualTo("stop");
        MoonshotStub.Recorded request = stub.chatRequests().get(0);
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(request.model()).isEqualTo(MoonshotStub.MODEL);
        assertThat(request.maxTokens()).isEqualTo(256);
        assertThat(request.messageCount()).isEqualTo(2);
        assertThat(request.stream()).isTrue();
        assertThat(stub.chatRequestCount()).isEqualTo(1);
    }

    @Test
    void topLevelUsageWithPromptTokenDetailsReadsTheSame() throws Exception {
        stub.enqueue(Scenario.ok(List.of("Hi"), new MoonshotStub.Usage(50, 20, 1), UsagePlacement.TOP_LEVEL)
                .withCachedField(CachedField.PROMPT_TOKENS_DETAILS));

        assertThat(call().usage()).isEqualTo(new Usage(50, 20, 1));
    }

    @Test
    void rateLimitBeforeTheFirstTokenIsRetriedAndThenAnswers() throws Exception {
        stub.enqueue(Scenario.rateLimited(0), Scenario.ok("again"));

        assertThat(call().text()).isEqualTo("again");
        assertThat(stub.chatRequestCount()).isEqualTo(2);
    }

    @Test
    void serverErrorsFailTheCallOnceAttemptsRunOut() {
        stub.defaultScenario(Scenario.serverError());

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(ModelCallFailedException.Reason.UPSTREAM_ERROR);
        assertThat(stub.chatRequestCount()).isEqualTo(2);
    }

    @Test
    void aCutStreamEndsWithoutUsageAndKeepsTheDeliveredText() {
        stub.enqueue(Scenario.ok("one", " two", " three").cutAfter(2));

        ModelCallFailedException failure = callFails();

        assertThat(failure.reason()).isEqualTo(ModelCallFailedException.Reason.STREAM_CUT);
        assertThat(failure.partialText()).isEqualTo("one two");
        assertThat(failure.usage()).isEmpty();
    }

    @Test
    void wireFormatAsAPlainClientReadsIt() throws Exception {
        stub.enqueue(Scenario.ok("x").withFirstTokenDelay(Duration.ofMillis(50)), Scenario.empty(7));
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> answer = http.send(chat(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> empty = http.send(chat(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/models"))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/models")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<JsonNode> frames = frames(answer.body());
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(frames.get(1).path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(frames.get(1).at("/choices/0/delta/content").asText()).isEqualTo("x");
        assertThat(frames.get(2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(frames.get(2).at("/choices/0/usage/total_tokens").asInt()).isEqualTo(11);
        assertThat(answer.body()).endsWith("data: [DONE]\n\n");
        assertThat(frames(empty.body())).hasSize(2);
        assertThat(frames(empty.body()).get(1).at("/choices/0/usage/completion_tokens").asInt()).isZero();
        assertThat(JSON.readTree(models.body()).at("/data/0/id").asText()).isEqualTo(MoonshotStub.MODEL);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(stub.requests()).hasSize(4);
        assertThat(stub.chatRequestCount()).isEqualTo(2);
    }

    @Test
    void aClientLeavingASlowStreamIsCounted() throws Exception {
        stub.enqueue(Scenario.ok("a", "b", "c", "d", "e", "f").withChunkDelay(Duration.ofMillis(150)));
        var stream = HttpClient.newHttpClient().send(chat(), HttpResponse.BodyHandlers.ofInputStream()).body();
        assertThat(stream.read(new byte[64])).isPositive();
        stream.close();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (stub.clientDisconnects() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(stub.clientDisconnects()).isEqualTo(1);
    }

    private HttpRequest chat() {
        return HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + MoonshotStub.MODEL + "\",\"stream\":true,\"max_tokens\":8,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
    }

    private static List<JsonNode> frames(String sse) throws Exception {
        List<JsonNode> frames = new java.util.ArrayList<>();
        for (String event : sse.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                frames.add(JSON.readTree(data));
            }
        }
        return frames;
    }

    private ModelCallFailedException callFails() {
        Throwable thrown = catchThrowable(this::call);
        assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ModelCallFailedException.class);
        return (ModelCallFailedException) thrown.getCause();
    }
}
