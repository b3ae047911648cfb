package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrapped admin, the role check, and a replay that rebuilds the views from the event log. */
class AdminEndToEndIT {

    private static final String ADMIN_PASSWORD = "admin passphrase for tests";
    private static final String PASSWORD = "a long enough passphrase";
    private static final String PROCESSORS = "{ viewProcessors { name running replaying caughtUp position headPosition error } }";
    private static final String REPLAY = """
            mutation Replay($p: [String!]!) {
              replayViews(input: { processors: $p }) {
                __typename
                ... on ReplayStarted { processors }
                ... on ValidationFailed { message }
              }
            }""";

    @TempDir
    Path temp;

    private static String token(GraphQlClient client, String user, String password) throws Exception {
        JsonNode login = client.execute(LOGIN, loginInput(user, password)).data().path("login");
        assertThat(login.path("__typename").asText()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    @Test
    void adminReplaysViewsAndTheyComeBackTheSame() throws Exception {
        try (ServiceProcess service = ServiceBackend.service(temp.resolve("data"),
                Map.of("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD)).start()) {
            GraphQlClient client = service.client();
            for (int i = 0; i < 3; i++) {
                client.execute(REGISTER, registerInput("User " + i, "user" + i + "@example.com", "user_" + i, PASSWORD));
            }
            String user = token(client, "user_1", PASSWORD);
            JsonNode before = client.executeAs(user, ME, Map.of()).data().path("me");

            // a user is not an admin
            var denied = client.executeAs(user, PROCESSORS, Map.of());
            assertThat(denied.errors().get(0).path("extensions").path("code").asText()).isEqualTo("FORBIDDEN");
            var deniedReplay = client.executeAs(user, REPLAY, Map.of("p", java.util.List.of("accounts-account")));
            assertThat(deniedReplay.errors().get(0).path("extensions").path("code").asText()).isEqualTo("FORBIDDEN");

            String admin = token(client, "admin", ADMIN_PASSWORD);
            JsonNode adminMe = client.executeAs(admin, ME, Map.of()).data().path("me");
            assertThat(adminMe.path("username").asText()).isEqualTo("admin");

            // an admin adjustment, granted once however often it is sent
            String grant = """
                    mutation G($u: ID!) { grantCredits(input: { userId: $u, amount: 1000, reason: "goodwill",
                      idempotencyKey: "goodwill-1" }) { __typename ... on CreditsGranted { grantId } } }""";
            String userId = before.path("id").asText();
            assertThat(client.executeAs(user, grant, Map.of("u", userId)).errors().get(0).path("extensions")
                    .path("code").asText()).isEqualTo("FORBIDDEN");
            for (int i = 0; i < 2; i++) {
                assertThat(client.executeAs(admin, grant, Map.of("u", userId)).data().path("grantCredits")
                        .path("__typename").asText()).isEqualTo("CreditsGranted");
            }
            var noSuchUser = client.executeAs(admin, grant, Map.of("u", "no-such-user"));
            assertThat(noSuchUser.data().path("grantCredits").path("__typename").asText()).isEqualTo("ValidationFailed");
            long deadline0 = System.currentTimeMillis() + 10_000;
            while (client.executeAs(user, ME, Map.of()).data().path("me").path("credits").path("available").asLong()
                    != 501_000 && System.currentTimeMillis() < deadline0) {
                Thread.sleep(50);
            }
            before = client.executeAs(user, ME, Map.of()).data().path("me");
            assertThat(before.path("credits").path("available").asLong()).isEqualTo(501_000);

            var unknown = client.executeAs(admin, REPLAY, Map.of("p", java.util.List.of("no-such-view")));
            assertThat(unknown.data().path("replayViews").path("__typename").asText()).isEqualTo("ValidationFailed");

            var started = client.executeAs(admin, REPLAY,
                    Map.of("p", java.util.List.of("accounts-account", "credits-balance", "credits-ledger")));
            assertThat(started.data().path("replayViews").path("__typename").asText()).isEqualTo("ReplayStarted");

            long deadline = System.currentTimeMillis() + 30_000;
            boolean done = false;
            while (!done && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                JsonNode processors = client.executeAs(admin, PROCESSORS, Map.of()).data().path("viewProcessors");
                done = true;
                for (JsonNode p : processors) {
                    assertThat(p.path("error").isNull()).as(p.toString()).isTrue();
                    done &= p.path("caughtUp").asBoolean() && !p.path("position").isNull()
                            && p.path("position").asLong() >= p.path("headPosition").asLong();
                }
            }
            assertThat(done).as("replay finished").isTrue();
            assertThat(client.executeAs(user, ME, Map.of()).data().path("me")).isEqualTo(before);
        }
    }
}
