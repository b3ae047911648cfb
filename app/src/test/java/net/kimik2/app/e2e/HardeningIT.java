package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardening findings of issue 14, tried as an attacker would against the packaged service: malformed bodies and
 * paths, aliased password guesses, guessing past the throttle, cross-origin WebSockets and cookie requests, common
 * passwords and a credit overflow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HardeningIT {

    private static final String ADMIN_PASSWORD = "admin passphrase for tests";
    private static final String PASSWORD = "a long enough passphrase";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceProcess service;
    private GraphQlClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        service = ServiceBackend.service(temp.resolve("data"), Map.of("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD)).start();
        client = service.client();
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private String registered() throws Exception {
        String username = unique("h_");
        JsonNode result = client.execute(REGISTER, registerInput("Hedy Lamarr", username + "@example.org", username,
                PASSWORD)).data().path("register");
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("Registered");
        return username;
    }

    private String token(String username, String password) throws Exception {
        JsonNode login = client.execute(LOGIN, loginInput(username, password)).data().path("login");
        assertThat(login.path("__typename").asText()).as(login.toString()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    private static void assertNoInternals(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("java.").doesNotContain("org.springframework")
                .doesNotContain("com.fasterxml").doesNotContain("\tat ").doesNotContain("trace");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("OWASP API8 security misconfiguration / finding: a JSON body null answered 500: malformed bodies are typed 4xx")
    void malformedBodiesAreTyped4xxNever500() throws Exception {
        String[][] cases = {
                {"null", "application/json"}, {"[]", "application/json"}, {"\"x\"", "application/json"},
                {"{\"query\":5}", "application/json"}, {"{\"query\":", "application/json"}, {"", "application/json"},
                {"{\"query\":\"{ ping }\",\"variables\":[]}", "application/json"},
                {"{\"query\":\"{ ping }\"}", "text/plain"}, {"query={ping}", "application/x-www-form-urlencoded"},
                {"{\"query\":\"{ ping }\"}", "application/xml"}};
        for (String[] c : cases) {
            GraphQlClient.Response response = client.post(c[0], c[1], Map.of());
            assertThat(response.status()).as("%s as %s: %s", c[0], c[1], response.raw()).isBetween(400, 499);
            assertThat(response.body().at("/errors/0/extensions/code").asText()).as(response.raw()).isNotEmpty();
            assertNoInternals(response.raw());
        }
    }

    @Test
    @DisplayName("OWASP API8 security misconfiguration / finding: GET /error answered 500: error and unknown paths are 4xx")
    void theErrorPathAndUnknownPathsAre404() throws Exception {
        for (String path : new String[] {"/error", "/no-such-path", "/graphql/x", "/actuator/nope", "/%2e%2e/etc"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).GET());
            assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(400, 499);
            assertNoInternals(response.body());
        }
        HttpResponse<String> error = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/error")).GET());
        assertThat(error.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(error.body()).at("/errors/0/extensions/code").asText()).isEqualTo("NOT_FOUND");
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/error"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isBetween(400, 499);
        HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(service.baseUrl()
                + "/graphql?query=mutation%7Blogout%7D")).GET());
        assertThat(get.statusCode()).as(get.body()).isBetween(400, 499);
        assertNoInternals(get.body());
    }

    @Test
    @DisplayName("OWASP API2 broken authentication / finding: 200-400 guesses in one request through aliased logins")
    void manyAliasedLoginsInOneRequestAreRefusedBeforeAnyRuns() throws Exception {
        String username = registered();
        StringBuilder document = new StringBuilder("mutation {");
        for (int i = 0; i < 50; i++) {
            document.append(" g").append(i).append(": login(input: {usernameOrEmail: \"").append(username)
                    .append("\", password: \"guess number ").append(i).append("\"}) { __typename }");
        }
        document.append(" ok: login(input: {usernameOrEmail: \"").append(username).append("\", password: \"")
                .append(PASSWORD).append("\"}) { __typename } }");
        GraphQlClient.Response response = client.execute(document.toString(), Map.of());
        assertThat(response.errors().get(0).path("extensions").path("code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(response.data().isMissingNode() || response.data().isNull()).as(response.raw()).isTrue();
        assertThat(response.setCookies()).isEmpty();
        // none of them counted: the account is not throttled
        token(username, PASSWORD);
    }

    @Test
    @DisplayName("OWASP API2 broken authentication / finding: login had no throttling")
    void afterRepeatedWrongPasswordsEvenTheRightOneWaits() throws Exception {
        String username = registered();
        for (int i = 0; i < 6; i++) {
            JsonNode login = client.execute(LOGIN, loginInput(username, "wrong password " + i)).data().path("login");
            assertThat(login.path("__typename").asText()).isEqualTo("InvalidCredentials");
        }
        GraphQlClient.Response refused = client.execute(LOGIN, loginInput(username, PASSWORD));
        JsonNode error = refused.errors().get(0);
        assertThat(error.path("extensions").path("code").asText()).as(refused.raw()).isEqualTo("RATE_LIMITED");
        assertThat(error.path("extensions").path("retryAfterSeconds").asLong()).isPositive();
        assertThat(refused.raw()).doesNotContain(username);
        assertThat(refused.setCookies()).isEmpty();
        assertThat(service.log()).doesNotContain(username).doesNotContain("wrong password");
    }

    @Test
    @DisplayName("OWASP API8 security misconfiguration / finding: the WebSocket upgrade accepted any Origin")
    void webSocketsOnlyFromTheServicesOwnOrigin() throws Exception {
        URI ws = URI.create(service.baseUrl().replace("http://", "ws://") + "/graphql");
        String token = token(registered(), PASSWORD);
        Throwable refused = catchThrowable(() -> GraphQlWsClient.connect(ws, Map.of(),
                Map.of("Origin", "http://evil.example", "Cookie", "KIMI_SESSION=" + token), Duration.ofSeconds(10))
                .close());
        assertThat(refused).isNotNull();
        try (GraphQlWsClient own = GraphQlWsClient.connect(ws, Map.of(),
                Map.of("Origin", service.baseUrl(), "Cookie", "KIMI_SESSION=" + token), Duration.ofSeconds(10))) {
            assertThat(own.execute("query { me { id } }", Map.of()).at("/data/me/id").asText()).isNotEmpty();
        }
    }

    @Test
    @DisplayName("OWASP API8 security misconfiguration: cookie-authenticated requests only from allowed origins (CSRF)")
    void cookieAuthenticatedRequestsOnlyFromAllowedOrigins() throws Exception {
        String token = token(registered(), PASSWORD);
        GraphQlClient.Response foreign = client.execute("mutation { logout }", Map.of(),
                Map.of("Cookie", "KIMI_SESSION=" + token, "Origin", "https://evil.example"));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body().at("/errors/0/extensions/code").asText()).isEqualTo("FORBIDDEN");
        GraphQlClient.Response crossSite = client.execute("mutation { logout }", Map.of(),
                Map.of("Cookie", "KIMI_SESSION=" + token, "Sec-Fetch-Site", "same-site"));
        assertThat(crossSite.status()).isEqualTo(403);
        // the session survived both
        GraphQlClient.Response own = client.execute(ME, Map.of(),
                Map.of("Cookie", "KIMI_SESSION=" + token, "Origin", service.baseUrl()));
        assertThat(own.data().path("me").path("id").asText()).isNotEmpty();
        // a bearer token is not forgeable cross-site and needs no origin check
        GraphQlClient.Response bearer = client.execute(ME, Map.of(),
                Map.of("Authorization", "Bearer " + token, "Origin", "https://evil.example"));
        assertThat(bearer.data().path("me").path("id").asText()).isNotEmpty();
    }

    @Test
    @DisplayName("OWASP API2 broken authentication / finding: 123456789012, aaaaaaaaaaaa, passwordpassword were accepted")
    void commonAndTrivialPasswordsAreRefused() throws Exception {
        for (String password : new String[] {"123456789012", "aaaaaaaaaaaa", "passwordpassword", "qwerty123456"}) {
            String username = unique("p_");
            JsonNode result = client.execute(REGISTER, registerInput("Pat", username + "@example.org", username,
                    password)).data().path("register");
            assertThat(result.path("__typename").asText()).as(password).isEqualTo("ValidationFailed");
            assertThat(result.path("invalidField").asText()).isEqualTo("password");
            assertThat(result.path("message").asText()).doesNotContain(password);
            assertThat(service.log()).doesNotContain(username).doesNotContain(password);
        }
    }

    @Test
    @DisplayName("finding: grantCredits 9223372036854775807 overflowed a balance to a negative number")
    void aHugeGrantIsAValidationFailureNotANegativeBalance() throws Exception {
        String username = registered();
        String userToken = token(username, PASSWORD);
        String userId = client.executeAs(userToken, ME, Map.of()).data().path("me").path("id").asText();
        String admin = token("admin", ADMIN_PASSWORD);
        String grant = """
                mutation G($u: ID!, $a: Long!) { grantCredits(input: { userId: $u, amount: $a, reason: "test",
                  idempotencyKey: "huge" }) { __typename ... on ValidationFailed { field message } } }""";
        JsonNode result = client.executeAs(admin, grant, Map.of("u", userId, "a", Long.MAX_VALUE)).data()
                .path("grantCredits");
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("ValidationFailed");
        assertThat(client.executeAs(userToken, ME, Map.of()).data().at("/me/credits/available").asLong())
                .isEqualTo(500_000L);
    }

    // ---- API keys and /v1 (issue 14), one test per applicable OWASP API Top 10 (2023) item ---------------------

    private String key(String token, Map<String, Object> input) throws Exception {
        return OpenAiEndToEndIT.createKey(client, token, input).path("secret").asText();
    }

    private HttpResponse<String> v1(String secret, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            request.header("Authorization", "Bearer " + secret);
        }
        headers.forEach(request::header);
        return send(request);
    }

    private static String chat(String content) {
        return "{\"model\":\"kimi-k2-0905-preview\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}";
    }

    private long available(String token) throws Exception {
        return client.executeAs(token, ME, Map.of()).data().at("/me/credits/available").asLong();
    }

    @Test
    @DisplayName("OWASP API1 broken object-level authorization: keys and sessions reach only their owner's conversations and keys")
    void objectLevelAuthorizationAcrossUsersAndKeys() throws Exception {
        String alice = token(registered(), PASSWORD);
        String bob = token(registered(), PASSWORD);
        String aliceKey = key(alice, Map.of("label", "alice"));
        String bobKey = key(bob, Map.of("label", "bob"));
        HttpResponse<String> answered = v1(aliceKey, chat("alice's secret question"), Map.of());
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        String aliceConversation = answered.headers().firstValue("X-Kimi-Conversation-Id").orElseThrow();

        // Bob's key cannot write into (or read through) Alice's conversation
        HttpResponse<String> intrude = v1(bobKey, chat("let me in"), Map.of("X-Kimi-Conversation-Id", aliceConversation));
        assertThat(intrude.statusCode()).as(intrude.body()).isEqualTo(404);
        assertThat(intrude.body()).doesNotContain("alice's secret question");
        // nor can Bob's session read it, list Alice's keys, or revoke them
        assertThat(client.executeAs(bob, "query C($id: ID!) { conversation(id: $id) { id } }",
                Map.of("id", aliceConversation)).data().path("conversation").isNull()).isTrue();
        String aliceKeyId = client.executeAs(alice, OpenAiEndToEndIT.KEYS, Map.of()).data().at("/apiKeys/0/id").asText();
        assertThat(client.executeAs(bob, OpenAiEndToEndIT.KEYS, Map.of()).data().path("apiKeys").findValuesAsText("id"))
                .doesNotContain(aliceKeyId);
        assertThat(client.executeAs(bob, OpenAiEndToEndIT.REVOKE, Map.of("id", aliceKeyId)).data()
                .path("revokeApiKey").asBoolean()).isFalse();
        assertThat(v1(aliceKey, chat("still mine"), Map.of()).statusCode()).isEqualTo(200);
        // an idempotency key names a prompt of its owner only: Bob's same key is Bob's own prompt
        HttpResponse<String> first = v1(aliceKey, chat("once"), Map.of("Idempotency-Key", "same-key"));
        HttpResponse<String> other = v1(bobKey, chat("once"), Map.of("Idempotency-Key", "same-key"));
        assertThat(other.headers().firstValue("X-Kimi-Prompt-Id"))
                .isNotEqualTo(first.headers().firstValue("X-Kimi-Prompt-Id"));
    }

    @Test
    @DisplayName("OWASP API5 broken function-level authorization: an API key reaches /v1 only; a user is no admin")
    void functionLevelAuthorization() throws Exception {
        String user = token(registered(), PASSWORD);
        String secret = key(user, Map.of("label", "only v1"));
        // a key is no session: GraphQL (key management included) does not know it
        GraphQlClient.Response asKey = client.executeAs(secret,
                "mutation { createApiKey(input: {label: \"escalate\"}) { __typename } }", Map.of());
        assertThat(asKey.errors().findValuesAsText("code")).contains("UNAUTHENTICATED");
        assertThat(client.executeAs(secret, ME, Map.of()).data().path("me").isNull()).isTrue();
        assertThat(send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/actuator/env"))
                .header("Authorization", "Bearer " + secret).GET()).statusCode()).isIn(401, 403);
        // a user's session is no admin
        GraphQlClient.Response grant = client.executeAs(user, """
                mutation { grantCredits(input: { userId: "x", amount: 5, reason: "r", idempotencyKey: "k" })
                  { __typename } }""", Map.of());
        assertThat(grant.errors().findValuesAsText("code")).contains("FORBIDDEN");
        assertThat(client.executeAs(user, "{ erasureRequests(first: 5) { edges { cursor } } }", Map.of()).errors()
                .findValuesAsText("code")).contains("FORBIDDEN");
        // a key limited to models may not use others
        String limited = key(user, Map.of("label", "turbo only", "models", java.util.List.of("kimi-k2-turbo-preview")));
        HttpResponse<String> refused = v1(limited, chat("hi"), Map.of());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("model_not_allowed");
    }

    @Test
    @DisplayName("OWASP API2 broken authentication: missing, malformed, unknown and expired API keys get 401 in OpenAI's shape")
    void apiKeyAuthentication() throws Exception {
        String user = token(registered(), PASSWORD);
        String expiring = key(user, Map.of("label", "short-lived",
                "expiresAt", java.time.Instant.now().plusSeconds(2).toString()));
        assertThat(v1(expiring, chat("hi"), Map.of()).statusCode()).isEqualTo(200);
        Thread.sleep(2_500);
        for (String secret : new String[] {null, "", "sk-kimi-", expiring, expiring + "x", expiring.toUpperCase(),
                "sk-kimi-" + "A".repeat(43), user, "Bearer"}) {
            HttpResponse<String> response = v1(secret, chat("hi"), Map.of());
            assertThat(response.statusCode()).as(secret + ": " + response.body()).isEqualTo(401);
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        }
        assertThat(service.log()).doesNotContain(expiring);
    }

    @Test
    @DisplayName("OWASP API3 broken object property level authorization (mass assignment): no body field picks the payer, price or conversation")
    void massAssignmentOnV1() throws Exception {
        String alice = token(registered(), PASSWORD);
        String bob = token(registered(), PASSWORD);
        String bobId = client.executeAs(bob, ME, Map.of()).data().at("/me/id").asText();
        String aliceKey = key(alice, Map.of("label", "alice"));
        long bobBefore = available(bob);
        String body = "{\"model\":\"kimi-k2-0905-preview\",\"max_tokens\":16,\"user\":\"" + bobId
                + "\",\"userId\":\"" + bobId + "\",\"cost_credits\":0,\"price\":0,\"conversation_id\":\"x\","
                + "\"metadata\":{\"actorRole\":\"ADMIN\"},\"messages\":[{\"role\":\"user\",\"content\":\"who pays?\"}]}";
        HttpResponse<String> response = v1(aliceKey, body, Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        long cost = JSON.readTree(response.body()).at("/usage/cost_credits").asLong();
        assertThat(cost).isPositive();
        assertThat(available(bob)).isEqualTo(bobBefore);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (available(alice) != 500_000L - cost && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(available(alice)).isEqualTo(500_000L - cost);
    }

    @Test
    @DisplayName("OWASP API4 unrestricted resource consumption: /v1 bodies, answer lengths and message counts are bounded")
    void v1ResourceBounds() throws Exception {
        String user = token(registered(), PASSWORD);
        String secret = key(user, Map.of("label", "bounds"));
        HttpResponse<String> huge = v1(secret, chat("x".repeat(1_100_000)), Map.of());
        assertThat(huge.statusCode()).isEqualTo(413);
        HttpResponse<String> tooLong = v1(secret, chat("hi").replace("\"max_tokens\":16", "\"max_tokens\":100000000"),
                Map.of());
        assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);
        assertThat(JSON.readTree(tooLong.body()).at("/error/param").asText()).isEqualTo("max_tokens");
        StringBuilder many = new StringBuilder("{\"model\":\"kimi-k2-0905-preview\",\"messages\":[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"m\"}");
        }
        assertThat(v1(secret, many.append("]}").toString(), Map.of()).statusCode()).isEqualTo(400);
        // more keys than allowed
        for (int i = 0; i < 19; i++) {
            key(user, Map.of("label", "k" + i));
        }
        JsonNode refused = client.executeAs(user, OpenAiEndToEndIT.CREATE_KEY,
                Map.of("input", Map.of("label", "one too many"))).data().path("createApiKey");
        assertThat(refused.path("__typename").asText()).isEqualTo("ValidationFailed");
        // credits are the last bound: a prompt whose hold the balance cannot cover gets 402
        HttpResponse<String> expensive = v1(secret, chat("hi").replace("\"max_tokens\":16", "\"max_tokens\":32768")
                .replace("kimi-k2-0905-preview", "kimi-k2-turbo-preview"), Map.of());
        assertThat(expensive.statusCode()).as(expensive.body()).isIn(200, 402);
    }

    @Test
    @DisplayName("OWASP API8 security misconfiguration: GraphiQL has a CSP, /v1 errors carry no internals, unknown /v1 paths are 404")
    void securityMisconfiguration() throws Exception {
        HttpResponse<String> graphiql = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/graphiql")).GET());
        assertThat(graphiql.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'").contains("frame-ancestors 'none'").doesNotContain("unsafe-eval")
                .doesNotContain("https:");
        String secret = key(token(registered(), PASSWORD), Map.of("label", "misconfig"));
        for (String body : new String[] {"null", "[]", "{", "{\"model\":1}", "{\"model\":\"m\",\"messages\":{}}",
                "{\"model\":\"kimi-k2-0905-preview\",\"messages\":[{\"role\":\"root\",\"content\":\"x\"}]}",
                "{\"model\":\"kimi-k2-0905-preview\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}"}) {
            HttpResponse<String> response = v1(secret, body, Map.of());
            assertThat(response.statusCode()).as(body + ": " + response.body()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
            assertNoInternals(response.body());
        }
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/embeddings"))
                .header("Authorization", "Bearer " + secret).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertNoInternals(unknown.body());
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(URI.create(service.baseUrl()
                + "/v1/chat/completions")).header("Authorization", "Bearer " + secret).GET());
        assertThat(wrongMethod.statusCode()).isBetween(400, 499);
        assertNoInternals(wrongMethod.body());
    }

    @Test
    @DisplayName("OWASP API4 unrestricted resource consumption / finding: a flood of unknown-user logins starved another user's me")
    void aLoginFloodDoesNotStarveOtherRequests() throws Exception {
        String user = token(registered(), PASSWORD);
        java.util.concurrent.ExecutorService flood = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int i = 0; i < 16; i++) {
            flood.submit(() -> {
                GraphQlClient attacker = new GraphQlClient(service.baseUrl());
                while (running.get()) {
                    try {
                        attacker.post("{\"query\":\"mutation { login(input: {usernameOrEmail: \\\"" + unique("ghost_")
                                + "\\\", password: \\\"guess\\\"}) { __typename } }\"}", "application/json",
                                Map.of("X-Forwarded-For", unique("10.0.")));
                    } catch (Exception e) {
                        // the flood only has to keep going
                    }
                }
                return null;
            });
        }
        try {
            Thread.sleep(1_000);
            java.util.List<Long> millis = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                assertThat(client.executeAs(user, ME, Map.of()).data().path("me").path("id").asText()).isNotEmpty();
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
            java.util.Collections.sort(millis);
            // was p50 1.4 s at 32 threads before the credential bulkhead
            assertThat(millis.get(millis.size() / 2)).as("p50 of me during the flood, ms: %s", millis).isLessThan(700);
        } finally {
            running.set(false);
            flood.shutdown();
            flood.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
