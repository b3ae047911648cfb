package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.LOGOUT;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient.ConnectionRefusedException;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GraphQL over WebSocket (graphql-ws) against the packaged service: who the caller is, per connection and per
 * operation. A token in {@code connection_init} that does not check out refuses the connection with 4401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketIT {

    private static final String PASSWORD = "a long enough passphrase";
    private static final String ME_BRIEF = "query { me { id username } }";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ServiceProcess service;
    private GraphQlClient http;
    private URI ws;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        service = ServiceBackend.service(temp.resolve("data"), Map.of()).start();
        http = service.client();
        ws = URI.create(service.baseUrl().replace("http://", "ws://") + "/graphql");
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
    }

    private record Account(String id, String username) {
    }

    private Account register() throws Exception {
        String username = "ws_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        JsonNode registered = http.execute(REGISTER, registerInput("Ada Lovelace", username + "@example.org", username,
                PASSWORD)).data().path("register");
        assertThat(registered.path("__typename").asText()).as(registered.toString()).isEqualTo("Registered");
        return new Account(registered.at("/account/id").asText(), username);
    }

    private String login(Account account) throws Exception {
        JsonNode login = http.execute(LOGIN, loginInput(account.username(), PASSWORD)).data().path("login");
        assertThat(login.path("__typename").asText()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    private static Map<String, Object> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static JsonNode me(GraphQlWsClient client) throws InterruptedException {
        JsonNode result = client.execute(ME_BRIEF, Map.of());
        assertThat(result.path("errors").isMissingNode()).as(result.toString()).isTrue();
        return result.at("/data/me");
    }

    @Test
    void theBearerTokenInConnectionInitAuthenticatesEveryOperationOnTheSocket() throws Exception {
        Account account = register();
        String token = login(account);

        try (GraphQlWsClient client = GraphQlWsClient.connect(ws, bearer(token))) {
            // a query sent as a graphql-ws subscribe message: one next, then complete
            GraphQlWsClient.Operation operation = client.subscribe("1", ME_BRIEF, Map.of());
            JsonNode result = operation.awaitNext(TIMEOUT);
            operation.awaitComplete(TIMEOUT);
            assertThat(result.at("/data/me/id").asText()).isEqualTo(account.id());
            assertThat(result.at("/data/me/username").asText()).isEqualTo(account.username());

            client.ping();
            // a second operation on the same socket, with a batch-loaded field as well
            JsonNode full = client.execute(ME, Map.of());
            assertThat(full.at("/data/me/id").asText()).isEqualTo(account.id());
            assertThat(full.at("/data/me/credits/available").asLong()).isPositive();
        }
    }

    @Test
    void theSessionCookieOfTheUpgradeRequestAuthenticatesToo() throws Exception {
        Account account = register();
        String token = login(account);

        try (GraphQlWsClient client = GraphQlWsClient.connect(ws, Map.of(),
                Map.of("Cookie", "KIMI_SESSION=" + token), TIMEOUT)) {
            assertThat(me(client).path("id").asText()).isEqualTo(account.id());
        }
    }

    @Test
    void withoutATokenTheConnectionIsAnonymous() throws Exception {
        try (GraphQlWsClient client = GraphQlWsClient.connect(ws, null)) {
            assertThat(me(client).isNull()).isTrue();
        }
        try (GraphQlWsClient client = GraphQlWsClient.connect(ws, Map.of())) {
            assertThat(me(client).isNull()).isTrue();
        }
    }

    @Test
    void aBadTokenInConnectionInitRefusesTheConnectionWith4401() throws Exception {
        Account account = register();
        String token = login(account);
        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

        for (Map<String, Object> payload : List.of(bearer(forged), bearer("not-a-token"),
                Map.<String, Object>of("Authorization", "Basic " + token), Map.<String, Object>of("Authorization", ""))) {
            ConnectionRefusedException refused = catchThrowableOfType(
                    () -> GraphQlWsClient.connect(ws, payload), ConnectionRefusedException.class);
            assertThat(refused).as("payload %s", payload.keySet()).isNotNull();
            assertThat(refused.closed().code()).isEqualTo(4401);
            assertThat(refused.closed().reason()).isEqualTo("Unauthorized");
        }
        assertThat(service.log()).doesNotContain(forged);
    }

    @Test
    void afterLogoutTheOldTokenNoLongerAuthenticatesNewConnectionsNorNewOperations() throws Exception {
        Account account = register();
        String token = login(account);

        try (GraphQlWsClient open = GraphQlWsClient.connect(ws, bearer(token))) {
            assertThat(me(open).path("id").asText()).isEqualTo(account.id());

            var logout = http.executeAs(token, LOGOUT, Map.of());
            assertThat(logout.data().path("logout").asBoolean()).as(logout.raw()).isTrue();

            // the socket opened before stays open, but its new operations no longer carry the caller
            assertThat(me(open).isNull()).isTrue();
        }
        ConnectionRefusedException refused = catchThrowableOfType(
                () -> GraphQlWsClient.connect(ws, bearer(token)), ConnectionRefusedException.class);
        assertThat(refused).isNotNull();
        assertThat(refused.closed().code()).isEqualTo(4401);

        // a stale cookie is ambient, as over HTTP: anonymous rather than refused
        try (GraphQlWsClient client = GraphQlWsClient.connect(ws, Map.of(),
                Map.of("Cookie", "KIMI_SESSION=" + token), TIMEOUT)) {
            assertThat(me(client).isNull()).isTrue();
        }
    }

    @Test
    void logoutOverTheSocketEndsTheSessionForTheNextOperation() throws Exception {
        Account account = register();
        String token = login(account);

        try (GraphQlWsClient client = GraphQlWsClient.connect(ws, bearer(token))) {
            JsonNode logout = client.execute(LOGOUT, new HashMap<>());
            assertThat(logout.at("/data/logout").asBoolean()).as(logout.toString()).isTrue();
            assertThat(me(client).isNull()).isTrue();
        }
        assertThat(http.executeAs(token, ME_BRIEF, Map.of()).data().path("me").isNull()).isTrue();
    }
}
