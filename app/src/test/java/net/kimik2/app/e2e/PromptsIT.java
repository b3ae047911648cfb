package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.kimik2.app.e2e.MoonshotStub.CachedField;
import net.kimik2.app.e2e.MoonshotStub.Scenario;
import net.kimik2.app.e2e.MoonshotStub.Usage;
import net.kimik2.app.e2e.MoonshotStub.UsagePlacement;
import net.kimik2.testsupport.conversations.PromptOperations;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts through the packaged service against a local stub of Moonshot's API that speaks its SSE format. Every
 * case ends with the ledger consistent: granted = available + held + spent, nothing held, every hold closed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromptsIT {

    static final long SIGNUP_CREDITS = 1_000_000;
    private static final String PASSWORD = "a long enough passphrase";
    private static final Duration WAIT = Duration.ofSeconds(20);
    // kimi-k2-0905-preview list prices per 1M tokens, in credits (micro-dollars)
    private static final long HIT = 150_000;
    private static final long MISS = 600_000;
    private static final long OUTPUT = 2_500_000;

    static final String SEND = PromptOperations.SEND;
    static final String STREAM = PromptOperations.STREAM;
    static final String CONVERSATION = """
            query C($id: ID!) {
              conversation(id: $id) { id title messages { id parentId role content model servedBy failureCode
                usage { promptTokens cachedTokens completionTokens costCredits estimated priceVersion } } }
            }""";
    static final String LEDGER_AND_BALANCE = """
            { me { credits { available held debt } }
              creditLedger(first: 100) { edges { node { kind amount reference } } } }""";

    private MoonshotStub stub;
    private ServiceProcess service;
    private GraphQlClient client;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        stub = new MoonshotStub();
        Map<String, String> env = new HashMap<>(MoonshotStub.serviceEnv(stub));
        env.put("KIMI_SIGNUP_CREDITS", Long.toString(SIGNUP_CREDITS));
        env.put("KIMI_MODEL_FIRST_TOKEN_TIMEOUT", "1500ms");
        env.put("KIMI_MODEL_IDLE_TIMEOUT", "1500ms");
        env.put("KIMI_MODEL_MAX_ATTEMPTS", "3");
        service = ServiceBackend.service(temp.resolve("data"), env).start();
        client = service.client();
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
        stub.close();
    }

    @BeforeEach
    void resetStub() throws InterruptedException {
        stub.reset();
    }

    // ---- the stub's cases -------------------------------------------------------------------------------------

    @Test
    void usageInsideTheChoiceWithCachedTokensIsChargedExactly() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.ok(List.of("Hel", "lo", " there"), new Usage(1000, 400, 50)));
        JsonNode accepted = accepted(send(token, "Say hello", Map.of()));

        JsonNode answer = awaitAnswer(token, accepted);
        assertThat(answer.path("content").asText()).isEqualTo("Hello there");
        JsonNode usage = answer.path("usage");
        assertThat(usage.path("promptTokens").asInt()).isEqualTo(1000);
        assertThat(usage.path("cachedTokens").asInt()).isEqualTo(400);
        assertThat(usage.path("completionTokens").asInt()).isEqualTo(50);
        assertThat(usage.path("estimated").asBoolean()).isFalse();
        assertThat(usage.path("priceVersion").asText()).isEqualTo("2026-01");
        long cost = cost(1000, 400, 50);
        assertThat(usage.path("costCredits").asLong()).isEqualTo(cost);
        assertLedgerConsistent(token, cost);
        assertThat(stub.chatRequests().get(0).headers().get("Authorization")).containsExactly("Bearer sk-test-key");
    }

    @Test
    void usageAtTheTopLevelWithPromptTokenDetailsIsChargedExactly() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.ok(List.of("A", "B"), new Usage(2000, 1000, 10), UsagePlacement.TOP_LEVEL)
                .withCachedField(CachedField.PROMPT_TOKENS_DETAILS));
        JsonNode answer = awaitAnswer(token, accepted(send(token, "Two letters", Map.of())));
        assertThat(answer.path("content").asText()).isEqualTo("AB");
        assertThat(answer.path("usage").path("cachedTokens").asInt()).isEqualTo(1000);
        assertThat(answer.path("usage").path("costCredits").asLong()).isEqualTo(cost(2000, 1000, 10));
        assertLedgerConsistent(token, cost(2000, 1000, 10));
    }

    @Test
    void a429BeforeTheFirstTokenIsRetriedAndChargedOnce() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.rateLimited(1), Scenario.ok(List.of("ok"), new Usage(20, 0, 1)));
        JsonNode answer = awaitAnswer(token, accepted(send(token, "retry me", Map.of())));
        assertThat(answer.path("content").asText()).isEqualTo("ok");
        assertThat(stub.chatRequestCount()).isEqualTo(2);
        assertLedgerConsistent(token, cost(20, 0, 1));
    }

    @Test
    void a500BeforeTheFirstTokenIsRetriedAndChargedOnce() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.serverError(), Scenario.ok(List.of("fine"), new Usage(30, 0, 2)));
        JsonNode answer = awaitAnswer(token, accepted(send(token, "retry me too", Map.of())));
        assertThat(answer.path("content").asText()).isEqualTo("fine");
        assertThat(stub.chatRequestCount()).isEqualTo(2);
        assertLedgerConsistent(token, cost(30, 0, 2));
    }

    @Test
    void aProviderThatKeepsFailingReleasesTheWholeHold() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.serverError(), Scenario.serverError(), Scenario.serverError());
        JsonNode accepted = accepted(send(token, "never answered", Map.of()));
        JsonNode last = awaitStreamEnd(token, accepted.path("promptId").asText()).get(0);
        assertThat(last.path("failureCode").asText()).isEqualTo("UPSTREAM_ERROR");
        assertLedgerConsistent(token, 0);
        // no answer recorded: at most the failed answer, empty, uncharged, with its failure code
        assertThat(assistantMessages(token, accepted)).allSatisfy(m -> {
            assertThat(m.path("failureCode").asText()).isEqualTo(last.path("failureCode").asText());
            assertThat(m.path("content").asText()).isEmpty();
            assertThat(m.path("usage").isNull()).isTrue();
        });
    }

    @Test
    void aStreamCutMidWayReleasesTheWholeHoldAndRecordsNoAnswer() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.ok(List.of("one ", "two ", "three"), new Usage(10, 0, 3)).cutAfter(2));
        JsonNode accepted = accepted(send(token, "cut me off", Map.of()));
        List<JsonNode> chunks = awaitStreamEnd(token, accepted.path("promptId").asText());
        JsonNode last = chunks.get(0);
        assertThat(last.path("done").asBoolean()).isTrue();
        assertThat(last.path("failureCode").asText()).isEqualTo("STREAM_CUT");
        assertLedgerConsistent(token, 0);
        // no answer recorded: at most the failed answer, empty, uncharged, with its failure code
        assertThat(assistantMessages(token, accepted)).allSatisfy(m -> {
            assertThat(m.path("failureCode").asText()).isEqualTo(last.path("failureCode").asText());
            assertThat(m.path("content").asText()).isEmpty();
            assertThat(m.path("usage").isNull()).isTrue();
        });
    }

    @Test
    void aFirstTokenSlowerThanTheTimeoutFailsAndReleasesTheHold() throws Exception {
        String token = newUser();
        Scenario slow = Scenario.ok("late").withFirstTokenDelay(Duration.ofSeconds(4));
        stub.enqueue(slow, slow, slow);
        JsonNode accepted = accepted(send(token, "too slow", Map.of()));
        JsonNode last = awaitStreamEnd(token, accepted.path("promptId").asText()).get(0);
        assertThat(last.path("failureCode").asText()).isEqualTo("TIMEOUT");
        assertLedgerConsistent(token, 0);
    }

    @Test
    void anEmptyAnswerReleasesTheHold() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.empty(12));
        JsonNode accepted = accepted(send(token, "say nothing", Map.of()));
        assertThat(awaitStreamEnd(token, accepted.path("promptId").asText()).get(0).path("failureCode").asText())
                .isEqualTo("EMPTY_ANSWER");
        assertLedgerConsistent(token, 0);
    }

    @Test
    void aClientThatDisconnectsMidStreamStillGetsTheWholeAnswerStoredAndPaysOnce() throws Exception {
        String token = newUser();
        List<String> parts = List.of("a", "b", "c", "d", "e", "f", "g", "h");
        stub.enqueue(Scenario.ok(parts, new Usage(40, 0, 8)).withChunkDelay(Duration.ofMillis(150)));
        JsonNode accepted = accepted(send(token, "stream slowly", Map.of()));
        try (GraphQlWsClient ws = connect(token)) {
            var op = ws.subscribe("s1", STREAM, Map.of("id", accepted.path("promptId").asText()));
            op.awaitNext(WAIT);
            op.awaitNext(WAIT);
            op.complete(); // the client goes away after two chunks
        }
        JsonNode answer = awaitAnswer(token, accepted);
        assertThat(answer.path("content").asText()).isEqualTo(String.join("", parts));
        assertThat(answer.path("usage").path("estimated").asBoolean()).isFalse();
        assertLedgerConsistent(token, cost(40, 0, 8));
        assertThat(stub.clientDisconnects()).isZero(); // the service kept reading upstream to the usage chunk
    }

    // ---- streaming over graphql-ws ----------------------------------------------------------------------------

    @Test
    void aGraphQlWsClientReceivesTheWholeAnswerAndALateJoinerGetsItFromTheFirstDelta() throws Exception {
        String token = newUser();
        List<String> parts = List.of("The ", "answer ", "is ", "42.");
        stub.enqueue(Scenario.ok(parts, new Usage(25, 5, 4)).withChunkDelay(Duration.ofMillis(100)));
        JsonNode accepted = accepted(send(token, "What is the answer?", Map.of()));
        String promptId = accepted.path("promptId").asText();

        try (GraphQlWsClient ws = connect(token)) {
            List<JsonNode> chunks = collect(ws.subscribe("live", STREAM, Map.of("id", promptId)));
            assertWholeAnswer(chunks, promptId, String.join("", parts), cost(25, 5, 4));
            // a subscriber that joins after the end still gets every chunk from the first one
            List<JsonNode> late = collect(ws.subscribe("late", STREAM, Map.of("id", promptId)));
            assertThat(late).isEqualTo(chunks);
        }
        assertThat(awaitAnswer(token, accepted).path("content").asText()).isEqualTo(String.join("", parts));
        assertLedgerConsistent(token, cost(25, 5, 4));
    }

    // ---- money --------------------------------------------------------------------------------------------------

    @Test
    void concurrentPromptsAskingForMoreThanTheBalanceNeverOverspend() throws Exception {
        String token = newUser();
        // slow answers keep every accepted hold open while the others arrive
        // (each gap stays under the 1.5 s first-token and idle timeouts configured above; three keep a hold open 3.3 s)
        stub.defaultScenario(Scenario.ok(List.of("x", "y", "z"), new Usage(50, 0, 2))
                .withChunkDelay(Duration.ofMillis(1100)));
        int prompts = 24;
        ExecutorService pool = Executors.newFixedThreadPool(prompts);
        List<Future<JsonNode>> results = new ArrayList<>();
        try {
            for (int i = 0; i < prompts; i++) {
                int n = i;
                results.add(pool.submit((Callable<JsonNode>) () -> sendRetryingBusy(token, "concurrent prompt " + n,
                        Map.of("maxTokens", 32_768))));
            }
            List<JsonNode> accepted = new ArrayList<>();
            List<JsonNode> refused = new ArrayList<>();
            for (Future<JsonNode> f : results) {
                JsonNode r = f.get();
                switch (r.path("__typename").asText()) {
                    case "PromptAccepted" -> accepted.add(r);
                    case "InsufficientCredits" -> refused.add(r);
                    case "Busy" -> { } // still Busy when its retries ran out: typed, and it holds nothing
                    default -> throw new AssertionError("unexpected result " + r);
                }
            }
            long hold = accepted.get(0).path("heldCredits").asLong();
            assertThat(hold).isGreaterThan(80_000);
            assertThat(accepted.size()).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo((int) (SIGNUP_CREDITS / hold));
            assertThat(refused).isNotEmpty().allSatisfy(r -> {
                assertThat(r.path("required").asLong()).isEqualTo(hold);
                assertThat(r.path("available").asLong()).isLessThan(hold);
            });
            for (JsonNode a : accepted) {
                awaitAnswer(token, a);
            }
            assertLedgerConsistent(token, accepted.size() * cost(50, 0, 2));
        } finally {
            pool.shutdownNow();
            stub.defaultScenario(Scenario.ok("default"));
        }
    }

    @Test
    void retryingWithTheSameIdempotencyKeyChargesOnce() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.ok(List.of("once"), new Usage(10, 0, 1)));
        JsonNode first = accepted(send(token, "only once", Map.of("idempotencyKey", "key-1")));
        JsonNode again = accepted(send(token, "only once", Map.of("idempotencyKey", "key-1")));
        assertThat(again).isEqualTo(first);
        awaitAnswer(token, first);
        JsonNode again2 = accepted(send(token, "only once", Map.of("idempotencyKey", "key-1")));
        assertThat(again2.path("promptId")).isEqualTo(first.path("promptId"));
        assertThat(stub.chatRequestCount()).isEqualTo(1);
        assertLedgerConsistent(token, cost(10, 0, 1));
    }

    // ---- conversations and ownership -----------------------------------------------------------------------------

    @Test
    void aConversationContinuesAndBranchesAndOnlyItsOwnerSeesIt() throws Exception {
        String ann = newUser();
        String bob = newUser();
        stub.enqueue(Scenario.ok("first answer"), Scenario.ok("second answer"), Scenario.ok("branch answer"));
        JsonNode first = accepted(send(ann, "first question\nwith a second line", Map.of()));
        String conversationId = first.path("conversationId").asText();
        awaitAnswer(ann, first);
        JsonNode second = accepted(send(ann, "second question", Map.of("conversationId", conversationId)));
        awaitAnswer(ann, second);
        // the model saw the whole branch: first question, first answer, second question
        JsonNode body = stub.chatRequests().get(1).json();
        assertThat(body.path("messages").size()).isEqualTo(3);

        JsonNode conversation = conversation(ann, conversationId);
        assertThat(conversation.path("title").asText()).isEqualTo("first question");
        JsonNode messages = conversation.path("messages");
        assertThat(messages.size()).isEqualTo(4);
        String firstQuestionId = messages.get(0).path("id").asText();
        // regenerate: a new prompt after the first answer again, a sibling of the second question
        JsonNode branch = accepted(send(ann, "first question, rephrased", Map.of("conversationId", conversationId,
                "parentId", messages.get(1).path("id").asText())));
        awaitAnswer(ann, branch);
        assertThat(conversation(ann, conversationId).path("messages").size()).isEqualTo(6);
        assertThat(firstQuestionId).isNotBlank();

        // someone else: the conversation and the stream answer exactly like missing ones
        assertThat(client.executeAs(bob, CONVERSATION, Map.of("id", conversationId)).data().path("conversation")
                .isNull()).isTrue();
        assertThat(client.executeAs(bob, CONVERSATION, Map.of("id", UUID.randomUUID().toString())).data()
                .path("conversation").isNull()).isTrue();
        JsonNode intrude = send(bob, "let me in", Map.of("conversationId", conversationId));
        assertThat(intrude.path("__typename").asText()).isEqualTo("ValidationFailed");
        assertThat(intrude.path("field").asText()).isEqualTo("conversationId");
        try (GraphQlWsClient ws = connect(bob)) {
            var foreign = ws.subscribe("f", STREAM, Map.of("id", first.path("promptId").asText())).await(WAIT);
            var missing = ws.subscribe("m", STREAM, Map.of("id", UUID.randomUUID().toString())).await(WAIT);
            assertThat(foreign.type()).isEqualTo("error");
            assertThat(foreign.payload().toString().replace("\"f\"", "")).isEqualTo(
                    missing.payload().toString().replace("\"m\"", ""));
        }
        JsonNode list = client.executeAs(ann, "{ conversations(first: 10) { edges { node { id messages { id } } } } }",
                Map.of()).data().path("conversations").path("edges");
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).path("node").path("messages").size()).isEqualTo(6);
        assertThat(client.executeAs(bob, "{ conversations { edges { node { id } } } }", Map.of()).data()
                .path("conversations").path("edges").size()).isZero();
    }

    @Test
    void conversationsArePagedNewestFirst() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.ok("1"), Scenario.ok("2"), Scenario.ok("3"));
        List<String> ids = new ArrayList<>();
        for (String q : List.of("oldest", "middle", "newest")) {
            JsonNode accepted = accepted(send(token, q, Map.of()));
            awaitAnswer(token, accepted);
            ids.add(accepted.path("conversationId").asText());
        }
        String page = "query P($after: String) { conversations(first: 2, after: $after) { edges { cursor node { id title } } "
                + "pageInfo { hasNextPage endCursor } } }";
        Map<String, Object> none = new HashMap<>();
        none.put("after", null);
        JsonNode first = client.executeAs(token, page, none).data().path("conversations");
        assertThat(first.path("edges").findValuesAsText("title")).containsExactly("newest", "middle");
        assertThat(first.path("pageInfo").path("hasNextPage").asBoolean()).isTrue();
        JsonNode second = client.executeAs(token, page,
                Map.of("after", first.path("pageInfo").path("endCursor").asText())).data().path("conversations");
        assertThat(second.path("edges").findValuesAsText("title")).containsExactly("oldest");
        assertThat(second.path("edges").get(0).path("node").path("id").asText()).isEqualTo(ids.get(0));
        assertThat(second.path("pageInfo").path("hasNextPage").asBoolean()).isFalse();
        var bad = client.executeAs(token, page, Map.of("after", "not-a-cursor"));
        assertThat(bad.errors().get(0).path("extensions").path("code").asText()).isEqualTo("VALIDATION_FAILED");
    }

    @Test
    void deletingAConversationDropsItForGood() throws Exception {
        String token = newUser();
        stub.enqueue(Scenario.ok("to be deleted"));
        JsonNode accepted = accepted(send(token, "delete me later", Map.of()));
        awaitAnswer(token, accepted);
        String id = accepted.path("conversationId").asText();
        String delete = "mutation D($id: ID!) { deleteConversation(id: $id) }";
        assertThat(client.executeAs(token, delete, Map.of("id", id)).data().path("deleteConversation").asBoolean())
                .isTrue();
        awaitUntil(() -> conversation(token, id).isNull());
        assertThat(client.executeAs(token, delete, Map.of("id", id)).data().path("deleteConversation").asBoolean())
                .isFalse();
        JsonNode again = send(token, "continue", Map.of("conversationId", id));
        assertThat(again.path("__typename").asText()).isEqualTo("ValidationFailed");
    }

    @Test
    void modelsAndUsageSummaryAnswerFromConfigurationAndAnswers() throws Exception {
        String token = newUser();
        JsonNode models = client.executeAs(token, "{ models { id contextLength inputCacheHitPerMillion "
                + "inputCacheMissPerMillion outputPerMillion priceVersion } }", Map.of()).data().path("models");
        assertThat(models.get(0).path("id").asText()).isEqualTo("kimi-k2-0905-preview");
        assertThat(models.get(0).path("inputCacheMissPerMillion").asLong()).isEqualTo(MISS);
        stub.enqueue(Scenario.ok(List.of("u"), new Usage(100, 0, 10)), Scenario.ok(List.of("v"), new Usage(200, 50, 5)));
        awaitAnswer(token, accepted(send(token, "one", Map.of())));
        awaitAnswer(token, accepted(send(token, "two", Map.of())));
        awaitUntil(() -> client.executeAs(token, "{ usageSummary { answers } }", Map.of()).data().path("usageSummary")
                .path(0).path("answers").asInt() == 2);
        JsonNode day = client.executeAs(token, "{ usageSummary { day model answers promptTokens cachedTokens "
                + "completionTokens costCredits estimatedAnswers } }", Map.of()).data().path("usageSummary").get(0);
        assertThat(day.path("model").asText()).isEqualTo("kimi-k2-0905-preview");
        assertThat(day.path("promptTokens").asLong()).isEqualTo(300);
        assertThat(day.path("cachedTokens").asLong()).isEqualTo(50);
        assertThat(day.path("completionTokens").asLong()).isEqualTo(15);
        assertThat(day.path("costCredits").asLong()).isEqualTo(cost(100, 0, 10) + cost(200, 50, 5));
    }

    @Test
    void badInputIsATypedValidationFailure() throws Exception {
        String token = newUser();
        assertThat(send(token, "  ", Map.of()).path("field").asText()).isEqualTo("content");
        assertThat(send(token, "x", Map.of("maxTokens", 0)).path("field").asText()).isEqualTo("maxTokens");
        assertThat(send(token, "x", Map.of("maxTokens", 1_000_000)).path("field").asText()).isEqualTo("maxTokens");
        assertThat(send(token, "x", Map.of("model", "gpt-4")).path("field").asText()).isEqualTo("model");
        assertThat(send(token, "x", Map.of("idempotencyKey", "white space")).path("field").asText())
                .isEqualTo("idempotencyKey");
        assertThat(send(token, "x", Map.of("conversationId", UUID.randomUUID().toString())).path("field").asText())
                .isEqualTo("conversationId");
        assertThat(stub.chatRequestCount()).isZero();
        assertLedgerConsistent(token, 0);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    static long cost(long prompt, long cached, long completion) {
        long micro = (prompt - cached) * MISS + cached * HIT + completion * OUTPUT;
        return (micro + 999_999) / 1_000_000;
    }

    private String newUser() throws Exception {
        String username = "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        JsonNode r = client.execute(REGISTER, registerInput("Prompt Tester", username + "@example.org", username,
                PASSWORD)).data().path("register");
        assertThat(r.path("__typename").asText()).isEqualTo("Registered");
        return client.execute(LOGIN, loginInput(username, PASSWORD)).data().path("login").path("token").asText();
    }

    private JsonNode send(String token, String content, Map<String, Object> extra) throws Exception {
        Map<String, Object> input = new HashMap<>(extra);
        input.put("content", content);
        var response = client.executeAs(token, SEND, Map.of("input", input));
        assertThat(response.errors().isMissingNode()).as(response.raw()).isTrue();
        return response.data().path("sendPrompt");
    }

    /**
     * Sends as a client honouring {@code Busy} would: the per-caller limit answers Busy to part of a burst, and the
     * retry comes at once (not after the hint) so that every attempt still meets the other prompts' open holds.
     */
    private JsonNode sendRetryingBusy(String token, String content, Map<String, Object> extra) throws Exception {
        // inside the 3.3 s that the slow answers keep each accepted hold open, so every accepted hold of the test is
        // open at once and their sum is bounded by the balance (2.5 s: 24 callers through 4 acceptance slots each
        // person, on a loaded machine and on PostgreSQL, needed more than the 1.5 s this window had before)
        long deadline = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        while (true) {
            JsonNode result = send(token, content, extra);
            if (!"Busy".equals(result.path("__typename").asText()) || System.nanoTime() > deadline) {
                return result;
            }
            Thread.sleep(5);
        }
    }

    private static JsonNode accepted(JsonNode result) {
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("PromptAccepted");
        assertThat(result.path("heldCredits").asLong()).isPositive();
        return result;
    }

    private GraphQlWsClient connect(String token) throws Exception {
        URI uri = URI.create(service.baseUrl().replace("http://", "ws://") + "/graphql");
        return GraphQlWsClient.connect(uri, Map.of("Authorization", "Bearer " + token));
    }

    static List<JsonNode> collect(GraphQlWsClient.Operation op) throws InterruptedException {
        List<JsonNode> chunks = new ArrayList<>();
        for (GraphQlWsClient.Message m : op.awaitAll(WAIT)) {
            if (m.isNext()) {
                assertThat(m.payload().path("errors").isMissingNode()).as(m.payload().toString()).isTrue();
                chunks.add(m.payload().path("data").path("promptStream"));
            } else {
                assertThat(m.type()).as(m.toString()).isEqualTo("complete");
            }
        }
        return chunks;
    }

    static void assertWholeAnswer(List<JsonNode> chunks, String promptId, String text, long cost) {
        StringBuilder answer = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode c = chunks.get(i);
            assertThat(c.path("promptId").asText()).isEqualTo(promptId);
            assertThat(c.path("seq").asInt()).isEqualTo(i);
            assertThat(c.path("done").asBoolean()).isEqualTo(i == chunks.size() - 1);
            answer.append(c.path("delta").asText());
        }
        assertThat(chunks.size()).isGreaterThan(2);
        assertThat(answer.toString()).isEqualTo(text);
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.path("usage").path("costCredits").asLong()).isEqualTo(cost);
        assertThat(last.path("failureCode").isNull()).isTrue();
    }

    /** The stream's chunks, newest first (so index 0 is the final chunk). */
    private List<JsonNode> awaitStreamEnd(String token, String promptId) throws Exception {
        try (GraphQlWsClient ws = connect(token)) {
            List<JsonNode> chunks = collect(ws.subscribe("end", STREAM, Map.of("id", promptId)));
            assertThat(chunks).isNotEmpty();
            List<JsonNode> reversed = new ArrayList<>(chunks);
            java.util.Collections.reverse(reversed);
            assertThat(reversed.get(0).path("done").asBoolean()).isTrue();
            return reversed;
        }
    }

    private JsonNode conversation(String token, String id) throws Exception {
        return client.executeAs(token, CONVERSATION, Map.of("id", id)).data().path("conversation");
    }

    private List<JsonNode> assistantMessages(String token, JsonNode accepted) throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        conversation(token, accepted.path("conversationId").asText()).path("messages").forEach(m -> {
            if ("assistant".equals(m.path("role").asText())) {
                answers.add(m);
            }
        });
        return answers;
    }

    /** The assistant message answering this prompt, once the conversation view has it. */
    private JsonNode awaitAnswer(String token, JsonNode accepted) throws Exception {
        String conversationId = accepted.path("conversationId").asText();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode messages = conversation(token, conversationId).path("messages");
            String userMessage = null;
            for (JsonNode m : messages) {
                if ("user".equals(m.path("role").asText()) && answersPrompt(m, accepted)) {
                    userMessage = m.path("id").asText();
                }
            }
            for (JsonNode m : messages) {
                if (userMessage != null && userMessage.equals(m.path("parentId").asText())
                        && "assistant".equals(m.path("role").asText()) && !m.hasNonNull("failureCode")) {
                    return m;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer to prompt " + accepted + " within " + WAIT);
    }

    /** User message ids derive from the prompt id (name-based UUID of "<promptId>/user"). */
    private static boolean answersPrompt(JsonNode userMessage, JsonNode accepted) {
        String expected = UUID.nameUUIDFromBytes((accepted.path("promptId").asText() + "/user")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        return expected.equals(userMessage.path("id").asText());
    }

    /**
     * Waits until nothing is held and every hold is closed, then checks the books: the grants equal what is available
     * plus what was spent (captures), and the spent amount is the expected charge.
     */
    private void assertLedgerConsistent(String token, long expectedSpent) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode data = null;
        while (System.nanoTime() < deadline) {
            data = client.executeAs(token, LEDGER_AND_BALANCE, Map.of()).data();
            Books books = Books.of(data);
            if (books.held == 0 && books.openHolds == 0 && books.spent == expectedSpent) {
                break;
            }
            Thread.sleep(100);
        }
        Books books = Books.of(data);
        assertThat(books.held).as("held: %s", data).isZero();
        assertThat(books.openHolds).as("open holds: %s", data).isZero();
        assertThat(books.spent).as("spent: %s", data).isEqualTo(expectedSpent);
        assertThat(books.granted).isEqualTo(books.available + books.held + books.spent);
        assertThat(books.debt).isZero();
    }

    private record Books(long granted, long spent, long available, long held, long debt, long openHolds) {
        static Books of(JsonNode data) {
            long granted = 0;
            long spent = 0;
            Map<String, Integer> holds = new HashMap<>();
            for (JsonNode e : data.path("creditLedger").path("edges")) {
                JsonNode n = e.path("node");
                String prompt = n.path("reference").asText().replaceAll("^prompt:([^:]+).*$", "$1");
                switch (n.path("kind").asText()) {
                    case "grant" -> granted += n.path("amount").asLong();
                    case "capture" -> spent += -n.path("amount").asLong();
                    case "hold" -> holds.merge(prompt, 1, Integer::sum);
                    case "release" -> holds.merge(prompt, -1, Integer::sum);
                    default -> throw new AssertionError("unknown ledger entry " + n);
                }
            }
            JsonNode credits = data.path("me").path("credits");
            long open = holds.values().stream().filter(v -> v != 0).count();
            return new Books(granted, spent, credits.path("available").asLong(), credits.path("held").asLong(),
                    credits.path("debt").asLong(), open);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within " + WAIT);
    }
}
