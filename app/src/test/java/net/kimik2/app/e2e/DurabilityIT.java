package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What was acknowledged survives a graceful stop and a hard kill, and a fresh start is quick. */
@ExtendWith(ServiceLogsOnFailure.class)
class DurabilityIT {

    private static final String PASSWORD = "a long enough passphrase";

    @TempDir
    Path temp;

    private static String register(GraphQlClient client, String username) throws Exception {
        JsonNode result = client.execute(REGISTER, registerInput("Durable " + username, username + "@example.com",
                username, PASSWORD)).data().path("register");
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("Registered");
        return result.path("account").path("id").asText();
    }

    private static JsonNode meAfterLogin(GraphQlClient client, String username) throws Exception {
        JsonNode login = client.execute(LOGIN, loginInput(username, PASSWORD)).data().path("login");
        assertThat(login.path("__typename").asText()).as(username).isEqualTo("LoggedIn");
        return client.executeAs(login.path("token").asText(), ME, Map.of()).data().path("me");
    }

    @Test
    void dataAndSessionsSurviveAGracefulRestart() throws Exception {
        Path data = temp.resolve("data");
        String token;
        String userId;
        try (ServiceProcess first = ServiceBackend.service(data, Map.of()).start()) {
            assertThat(first.lastStartup()).as("start-up on a fresh data directory").isLessThan(Duration.ofSeconds(30));
            userId = register(first.client(), "calm_user");
            token = first.client().execute(LOGIN, loginInput("calm_user", PASSWORD)).data().path("login")
                    .path("token").asText();
            assertThat(first.stop()).as("exit code after SIGTERM").isIn(0, 143);
        }
        try (ServiceProcess second = ServiceBackend.service(data, Map.of()).start()) {
            JsonNode me = second.client().executeAs(token, ME, Map.of()).data().path("me");
            assertThat(me.path("id").asText()).isEqualTo(userId);
            assertThat(me.path("credits").path("available").asLong()).isEqualTo(500_000);
            // uniqueness survived too
            JsonNode again = second.client().execute(REGISTER, registerInput("Again", "calm_user@example.com",
                    "calm_user", PASSWORD)).data().path("register");
            assertThat(again.path("__typename").asText()).isEqualTo("AlreadyTaken");
            assertViewStoreIndexes(ServiceBackend.current().viewStoreUri(second));
        }
    }

    /**
     * The service creates its view indexes at start on whatever MongoDB it is given (on the postgres backend an
     * external one by URI), the token collection's unique one among them: nodes sharing a MongoDB rely on it.
     */
    private static void assertViewStoreIndexes(String uri) {
        ConnectionString cs = new ConnectionString(uri);
        try (MongoClient mongo = MongoClients.create(cs)) {
            MongoDatabase db = mongo.getDatabase(cs.getDatabase());
            assertThat(db.getCollection("view_tokens").listIndexes().into(new ArrayList<>()))
                    .anySatisfy(index -> {
                        assertThat(index.get("key", Document.class).keySet()).containsExactly("processorName", "segment");
                        assertThat(index.getBoolean("unique", false)).isTrue();
                    });
            assertThat(db.getCollection("credits_ledger_entry").listIndexes().into(new ArrayList<>()))
                    .anySatisfy(index -> assertThat(index.get("key", Document.class).keySet())
                            .containsExactly("userId", "seq"));
        }
    }

    /**
     * A hard kill may cut the view store's newest writes (the embedded one commits its file about once a second),
     * and the killed process's claims on the view segments hold until they time out; the views catch up after the
     * restart. The service must not report ready before they have: the first reads after health UP, with sessions
     * from before the kill and no login (login waits for the account view), show every signup grant.
     */
    @Test
    void acknowledgedRegistrationsSurviveAHardKill() throws Exception {
        Path data = temp.resolve("killed");
        List<String> usernames = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        try (ServiceProcess first = ServiceBackend.service(data, Map.of()).start()) {
            for (int i = 0; i < 5; i++) {
                String username = "kill_" + i;
                register(first.client(), username);
                usernames.add(username);
                tokens.add(first.client().execute(LOGIN, loginInput(username, PASSWORD)).data().path("login")
                        .path("token").asText());
            }
            register(first.client(), "kill_last");
            usernames.add("kill_last");
            first.kill(); // right after the last acknowledgement, no shutdown hook
        }
        try (ServiceProcess second = ServiceBackend.service(data, Map.of()).start()) {
            for (String token : tokens) {
                JsonNode me = second.client().executeAs(token, ME, Map.of()).data().path("me");
                assertThat(me.path("credits").path("available").asLong()).as(me.toString()).isEqualTo(500_000);
            }
            for (String username : usernames) {
                JsonNode me = meAfterLogin(second.client(), username);
                assertThat(me.path("username").asText()).isEqualTo(username);
                assertThat(me.path("credits").path("available").asLong()).isEqualTo(500_000);
            }
            // and the service keeps working after the crash
            register(second.client(), "after_kill");
        }
    }
}
