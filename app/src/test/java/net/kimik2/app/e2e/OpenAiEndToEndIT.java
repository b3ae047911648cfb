package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openai} npm client (installed from the npm registry by this test) against {@code /v1} of the
 * packaged service, with API keys made through GraphQL: answers with and without streaming, charged like GraphQL
 * prompts (ledger, conversation, the key's spend), a revoked key refused with 401, a spent budget with 402 (issue 14).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiEndToEndIT {

    private static final String PASSWORD = "a long enough passphrase";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CREATE_KEY = """
            mutation K($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename
              ... on ApiKeyCreated { secret apiKey { id label prefix spentThisMonth monthlyBudgetCredits } }
              ... on ValidationFailed { field message } } }""";
    static final String KEYS = "{ apiKeys { id label prefix lastUsedAt revokedAt spentThisMonth } }";
    static final String REVOKE = "mutation R($id: ID!) { revokeApiKey(id: $id) }";
    private static final String CONVERSATION = """
            query C($id: ID!) { conversation(id: $id) { id messages { role content failureCode
              usage { promptTokens completionTokens costCredits } } } }""";

    private ServiceProcess service;
    private GraphQlClient client;
    private Path node;
    private String model;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        node = installOpenAiClient();
        Map<String, String> env = new HashMap<>();
        env.put("KIMI_SIGNUP_CREDITS", "10000000");
        env.put("KIMI_MODEL_OFFLINE_CHUNK_DELAY", "0ms");
        env.put("KIMI_LIMITS_KEY_REQUESTS_PER_MINUTE", "8");
        service = ServiceBackend.service(temp.resolve("data"), env).start();
        client = service.client();
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    /** npm install openai into target/ once; the client script sits beside its node_modules. */
    static Path installOpenAiClient() throws Exception {
        Path dir = Paths.get("target", "openai-client").toAbsolutePath();
        Files.createDirectories(dir);
        try (InputStream script = OpenAiEndToEndIT.class.getResourceAsStream("/openai/client.mjs")) {
            Files.copy(script, dir.resolve("client.mjs"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/openai"))) {
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--silent", "openai@6")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(180, TimeUnit.SECONDS)).as("npm install finished").isTrue();
            assertThat(npm.exitValue()).as(output).isZero();
        }
        return dir;
    }

    private JsonNode openai(String secret, String step, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/node", node.resolve("client.mjs").toString(),
                service.baseUrl() + "/v1", secret, step));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).directory(node.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String last = output.lines().reduce((a, b) -> b).orElse("");
        assertThat(last).as(output).startsWith("{");
        return JSON.readTree(last);
    }

    private String lastUsername;

    private String newUser() throws Exception {
        String username = "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        client.execute(REGISTER, registerInput("Key Tester", username + "@example.org", username, PASSWORD));
        lastUsername = username;
        return client.execute(LOGIN, loginInput(username, PASSWORD)).data().path("login").path("token").asText();
    }

    static JsonNode createKey(GraphQlClient client, String token, Map<String, Object> input) throws Exception {
        JsonNode created = client.executeAs(token, CREATE_KEY, Map.of("input", input)).data().path("createApiKey");
        assertThat(created.path("__typename").asText()).as(created.toString()).isEqualTo("ApiKeyCreated");
        return created;
    }

    private String modelId(String secret) throws Exception {
        if (model == null) {
            JsonNode models = openai(secret, "models");
            assertThat(models.path("ids").size()).as(models.toString()).isPositive();
            model = models.path("ids").get(0).asText();
        }
        return model;
    }

    @Test
    @DisplayName("openai npm client: models, a completion and a streamed completion, charged like GraphQL prompts")
    void officialClientWorksWithAndWithoutStreaming() throws Exception {
        String token = newUser();
        JsonNode created = createKey(client, token, Map.of("label", "laptop"));
        String secret = created.path("secret").asText();
        assertThat(secret).startsWith(created.path("apiKey").path("prefix").asText());
        String model = modelId(secret);

        JsonNode completion = openai(secret, "complete", model);
        assertThat(completion.has("error")).as(completion.toString()).isFalse();
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.path("content").asText()).isNotBlank();
        assertThat(completion.path("finish").asText()).isIn("stop", "length");
        long cost = completion.path("usage").path("cost_credits").asLong();
        assertThat(cost).isPositive();
        assertThat(completion.path("usage").path("total_tokens").asInt()).isEqualTo(
                completion.path("usage").path("prompt_tokens").asInt()
                        + completion.path("usage").path("completion_tokens").asInt());
        assertAnsweredInConversation(token, completion.path("conversationId").asText(),
                completion.path("content").asText(), cost);
        String promptId = completion.path("id").asText().substring("chatcmpl-".length());
        assertCaptured(token, promptId, cost);

        JsonNode streamed = openai(secret, "stream", model);
        assertThat(streamed.has("error")).as(streamed.toString()).isFalse();
        assertThat(streamed.path("content").asText()).isNotBlank();
        assertThat(streamed.path("chunks").asInt()).isGreaterThan(2);
        assertThat(streamed.path("finish").asText()).isIn("stop", "length");
        long streamedCost = streamed.path("usage").path("cost_credits").asLong();
        assertThat(streamedCost).isPositive();
        assertAnsweredInConversation(token, streamed.path("conversationId").asText(),
                streamed.path("content").asText(), streamedCost);

        JsonNode key = awaitKeySpend(token, created.path("apiKey").path("id").asText(), cost + streamedCost);
        assertThat(key.path("lastUsedAt").isNull()).isFalse();
        assertThat(key.path("label").asText()).isEqualTo("laptop");
    }

    @Test
    @DisplayName("Idempotency-Key: a retried completion answers the same prompt and is charged once")
    void idempotencyKeyChargesOnce() throws Exception {
        String token = newUser();
        JsonNode created = createKey(client, token, Map.of("label", "retries"));
        String secret = created.path("secret").asText();
        JsonNode first = openai(secret, "complete", modelId(secret), "retry-1");
        JsonNode again = openai(secret, "complete", modelId(secret), "retry-1");
        assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
        assertThat(again.path("content").asText()).isEqualTo(first.path("content").asText());
        long cost = first.path("usage").path("cost_credits").asLong();
        awaitKeySpend(token, created.path("apiKey").path("id").asText(), cost);
        JsonNode ledger = client.executeAs(token, "{ creditLedger(first: 100) { edges { node { kind amount } } } }",
                Map.of()).data().path("creditLedger").path("edges");
        long captures = 0;
        for (JsonNode e : ledger) {
            captures += e.path("node").path("kind").asText().equals("capture") ? 1 : 0;
        }
        assertThat(captures).isEqualTo(1);
    }

    @Test
    @DisplayName("OWASP API2 broken authentication: a revoked key, an unknown key and a session token get 401")
    void revokedKeyGets401() throws Exception {
        String token = newUser();
        JsonNode created = createKey(client, token, Map.of("label", "to revoke"));
        String secret = created.path("secret").asText();
        assertThat(openai(secret, "complete", modelId(secret)).has("error")).isFalse();
        assertThat(client.executeAs(token, REVOKE, Map.of("id", created.path("apiKey").path("id").asText())).data()
                .path("revokeApiKey").asBoolean()).isTrue();

        JsonNode refused = openai(secret, "complete", modelId(secret));
        assertThat(refused.path("error").path("status").asInt()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.path("error").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(openai(secret, "models").path("error").path("status").asInt()).isEqualTo(401);
        assertThat(openai("sk-kimi-" + "A".repeat(43), "models").path("error").path("status").asInt()).isEqualTo(401);
        // a session token is no API key
        assertThat(openai(token, "models").path("error").path("status").asInt()).isEqualTo(401);
        JsonNode listed = client.executeAs(token, KEYS, Map.of()).data().path("apiKeys").get(0);
        assertThat(listed.path("revokedAt").isNull()).isFalse();
    }

    @Test
    @DisplayName("a key over its monthly budget gets 402; the person's other keys still work")
    void keyOverBudgetGets402() throws Exception {
        String token = newUser();
        JsonNode budgeted = createKey(client, token, Map.of("label", "small budget", "monthlyBudgetCredits", 1));
        String secret = budgeted.path("secret").asText();
        JsonNode first = openai(secret, "complete", modelId(secret));
        assertThat(first.has("error")).as(first.toString()).isFalse();
        awaitKeySpend(token, budgeted.path("apiKey").path("id").asText(), first.path("usage").path("cost_credits").asLong());

        JsonNode refused = openai(secret, "complete", modelId(secret));
        assertThat(refused.path("error").path("status").asInt()).as(refused.toString()).isEqualTo(402);
        assertThat(refused.path("error").path("type").asText()).isEqualTo("insufficient_quota");
        JsonNode streamRefused = openai(secret, "stream", modelId(secret));
        assertThat(streamRefused.path("error").path("status").asInt()).isEqualTo(402);

        String other = createKey(client, token, Map.of("label", "unlimited")).path("secret").asText();
        assertThat(openai(other, "complete", modelId(other)).has("error")).isFalse();
    }

    @Test
    @DisplayName("OWASP API4 unrestricted resource consumption: a key's request rate answers 429 with Retry-After and x-ratelimit headers")
    void keyRateLimitAnswers429() throws Exception {
        String token = newUser();
        String secret = createKey(client, token, Map.of("label", "rate")).path("secret").asText();
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"model\":\"" + modelId(secret) + "\",\"max_tokens\":8,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> last = null;
        for (int i = 0; i < 9; i++) {
            last = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == 429) {
                break;
            }
            assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
            assertThat(last.headers().firstValue("x-ratelimit-limit-requests")).contains("8");
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(last.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        assertThat(last.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
        assertThat(JSON.readTree(last.body()).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
        // the openai client sees a RateLimitError with the hint
        JsonNode refused = openai(secret, "complete", modelId(secret));
        assertThat(refused.path("error").path("status").asInt()).isEqualTo(429);
        assertThat(refused.path("error").path("retryAfter").asText()).isNotEmpty();
    }

    private void assertAnsweredInConversation(String token, String conversationId, String content, long cost)
            throws Exception {
        assertThat(conversationId).isNotBlank();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode answer = null;
        while (System.nanoTime() < deadline) {
            JsonNode c = client.executeAs(token, CONVERSATION, Map.of("id", conversationId)).data().path("conversation");
            for (JsonNode m : c.path("messages")) {
                if (m.path("role").asText().equals("assistant")) {
                    answer = m;
                }
            }
            if (answer != null) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(answer).as("the answer is stored in the conversation").isNotNull();
        assertThat(answer.path("content").asText()).isEqualTo(content);
        assertThat(answer.path("usage").path("costCredits").asLong()).isEqualTo(cost);
    }

    private void assertCaptured(String token, String promptId, long cost) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode edges = client.executeAs(token,
                    "{ creditLedger(first: 100) { edges { node { kind amount reference } } } }", Map.of()).data()
                    .path("creditLedger").path("edges");
            for (JsonNode e : edges) {
                JsonNode n = e.path("node");
                if (n.path("kind").asText().equals("capture") && n.path("reference").asText().equals("prompt:" + promptId)) {
                    assertThat(n.path("amount").asLong()).isEqualTo(-cost);
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no capture of " + cost + " for prompt " + promptId + " in the ledger");
    }

    private JsonNode awaitKeySpend(String token, String keyId, long spent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode key = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode k : client.executeAs(token, KEYS, Map.of()).data().path("apiKeys")) {
                if (k.path("id").asText().equals(keyId)) {
                    key = k;
                }
            }
            if (key != null && key.path("spentThisMonth").asLong() == spent) {
                return key;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("key " + keyId + " never showed spentThisMonth " + spent + ": " + key);
    }

    @Test
    @DisplayName("erasure revokes every key of the person at once")
    void erasureRevokesEveryKey() throws Exception {
        String token = newUser();
        String username = lastUsername;
        String first = createKey(client, token, Map.of("label", "one")).path("secret").asText();
        String second = createKey(client, token, Map.of("label", "two")).path("secret").asText();
        assertThat(openai(first, "models").has("error")).isFalse();
        JsonNode erasure = client.executeAs(token, """
                mutation E($u: String!) { requestErasure(input: { confirmUsername: $u }) { __typename } }""",
                Map.of("u", username)).data().path("requestErasure");
        assertThat(erasure.path("__typename").asText()).as(erasure.toString()).isEqualTo("ErasureRequested");
        assertThat(openai(first, "models").path("error").path("status").asInt()).isEqualTo(401);
        assertThat(openai(second, "complete", modelId(second)).path("error").path("status").asInt()).isEqualTo(401);
    }

    @Test
    @DisplayName("the SSE wire format: role first, content deltas, a finish chunk, the usage chunk only when asked, then [DONE]")
    void streamWireFormat() throws Exception {
        String token = newUser();
        String secret = createKey(client, token, Map.of("label", "wire")).path("secret").asText();
        HttpClient http = HttpClient.newHttpClient();
        for (boolean includeUsage : new boolean[] {false, true}) {
            String body = "{\"model\":\"" + modelId(secret) + "\",\"stream\":true,\"max_tokens\":32,"
                    + (includeUsage ? "\"stream_options\":{\"include_usage\":true}," : "")
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"wire format\"}]}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl()
                            + "/v1/chat/completions")).header("Authorization", "Bearer " + secret)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
            List<String> events = r.body().lines().filter(l -> !l.isEmpty()).toList();
            assertThat(events).allSatisfy(l -> assertThat(l).startsWith("data: "));
            assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
            List<JsonNode> chunks = new ArrayList<>();
            for (String e : events.subList(0, events.size() - 1)) {
                chunks.add(JSON.readTree(e.substring(6)));
            }
            assertThat(chunks).allSatisfy(c -> {
                assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
                assertThat(c.path("id").asText()).isEqualTo(chunks.get(0).path("id").asText());
                assertThat(c.has("usage")).isEqualTo(includeUsage);
            });
            assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            JsonNode last = chunks.get(chunks.size() - 1);
            if (includeUsage) {
                assertThat(last.path("choices").size()).isZero();
                assertThat(last.at("/usage/total_tokens").asInt()).isPositive();
                assertThat(last.at("/usage/cost_credits").asLong()).isPositive();
                last = chunks.get(chunks.size() - 2);
            }
            assertThat(last.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
            assertThat(chunks.subList(1, chunks.size() - (includeUsage ? 2 : 1)))
                    .allSatisfy(c -> assertThat(c.at("/choices/0/delta/content").asText()).isNotEmpty());
        }
        HttpResponse<String> badKey = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl()
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + secret)
                .header("Idempotency-Key", "not a valid key!").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + modelId(secret)
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badKey.body()).at("/error/param").asText()).isEqualTo("Idempotency-Key");
    }
}
