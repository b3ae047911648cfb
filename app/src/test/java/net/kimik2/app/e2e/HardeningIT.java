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
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
        service = new ServiceProcess(temp.resolve("data"), Map.of("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD)).start();
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
}
