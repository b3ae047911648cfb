package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audits by event replay against the packaged service (issue 12): a replay of every view never takes the views away
 * from `me` and `conversations`; the consistency check finds a corrupted balance document; and a person's audit
 * trail after their erasure holds no personal value but every event, with replacement values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditReplayIT {

    private static final String ADMIN_PASSWORD = "admin passphrase for tests";
    private static final String PASSWORD = "a long enough passphrase";
    private static final String CONVERSATIONS = "{ conversations(first: 20) { edges { node { id title "
            + "messages { role content } } } } }";
    private static final String PROCESSORS = "{ viewProcessors { name replay { finished cancelled percent } } }";
    private static final String CHECK = "mutation { runConsistencyCheck { balancesChecked eventsRead "
            + "differences { view documentId field expected actual } } }";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceProcess service;
    private GraphQlClient client;
    private String admin;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        service = ServiceBackend.service(temp.resolve("data"), Map.of("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "KIMI_MODEL_OFFLINE_CHUNK_DELAY", "0ms")).start();
        client = service.client();
        admin = token("admin", ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
    }

    private String token(String user, String password) throws Exception {
        JsonNode login = client.execute(LOGIN, loginInput(user, password)).data().path("login");
        assertThat(login.path("__typename").asText()).as(login.toString()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    private String register(String name, String email, String username) throws Exception {
        JsonNode result = client.execute(REGISTER, registerInput(name, email, username, PASSWORD)).data().path("register");
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("Registered");
        return result.path("account").path("id").asText();
    }

    private JsonNode until(Duration timeout, java.util.concurrent.Callable<JsonNode> read,
                           java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = read.call();
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            last = read.call();
        }
        assertThat(done.test(last)).as("condition not reached: %s", last).isTrue();
        return last;
    }

    @Test
    void duringAReplayOfAllViewsMeAndConversationsAnswerCompletely() throws Exception {
        // some history: people, and a conversation with an answer
        for (int i = 0; i < 100; i++) {
            register("Replay Person " + i, "replay" + i + "@example.org", "replay_" + i);
        }
        String user = token("replay_7", PASSWORD);
        for (int i = 0; i < 3; i++) {
            JsonNode sent = client.executeAs(user, PromptsIT.SEND, Map.of("input", Map.of("content", "question " + i)))
                    .data().path("sendPrompt");
            assertThat(sent.path("__typename").asText()).as(sent.toString()).isEqualTo("PromptAccepted");
        }
        JsonNode conversations = until(Duration.ofSeconds(30), () -> client.executeAs(user, CONVERSATIONS, Map.of())
                .data().path("conversations"), c -> c.path("edges").size() == 3 && c.findValues("messages").stream()
                .allMatch(m -> m.size() == 2 && !m.get(1).path("content").asText().isEmpty()));
        JsonNode me = until(Duration.ofSeconds(30), () -> client.executeAs(user, ME, Map.of()).data().path("me"),
                m -> m.path("credits").path("held").asLong() == 0);

        List<String> all = new ArrayList<>();
        client.executeAs(admin, PROCESSORS, Map.of()).data().path("viewProcessors")
                .forEach(p -> all.add(p.path("name").asText()));
        JsonNode started = client.executeAs(admin, "mutation R($p: [String!]!) { replayViews(input: { processors: $p }) "
                + "{ __typename } }", Map.of("p", all)).data().path("replayViews");
        assertThat(started.path("__typename").asText()).isEqualTo("ReplayStarted");
        // a second replay of the same views while the first runs is refused
        JsonNode twice = client.executeAs(admin, "mutation R($p: [String!]!) { replayViews(input: { processors: $p }) "
                + "{ __typename ... on ValidationFailed { message } } }", Map.of("p", List.of("accounts-account")))
                .data().path("replayViews");

        int readsDuringReplay = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean finished = false;
        while (!finished && System.nanoTime() < deadline) {
            JsonNode processors = client.executeAs(admin, PROCESSORS, Map.of()).data().path("viewProcessors");
            finished = true;
            for (JsonNode p : processors) {
                finished &= p.path("replay").path("finished").asBoolean();
            }
            // the old views keep serving, whole, until the new ones are switched in
            assertThat(client.executeAs(user, ME, Map.of()).data().path("me")).isEqualTo(me);
            assertThat(client.executeAs(user, CONVERSATIONS, Map.of()).data().path("conversations"))
                    .isEqualTo(conversations);
            if (!finished) {
                readsDuringReplay++;
            }
        }
        assertThat(finished).as("replay finished").isTrue();
        assertThat(readsDuringReplay).as("reads while the replay ran").isPositive();
        if (twice.path("__typename").asText().equals("ValidationFailed")) {
            assertThat(twice.path("message").asText()).contains("still running");
        }
        // and after the switch, the rebuilt views answer the same
        assertThat(client.executeAs(user, ME, Map.of()).data().path("me")).isEqualTo(me);
        assertThat(client.executeAs(user, CONVERSATIONS, Map.of()).data().path("conversations")).isEqualTo(conversations);
    }

    @Test
    void theConsistencyCheckReportsACorruptedBalanceDocument() throws Exception {
        String userId = register("Corrupt Person", "corrupt@example.org", "corrupt_p");
        until(Duration.ofSeconds(20), () -> client.executeAs(token("corrupt_p", PASSWORD), ME, Map.of()).data()
                .path("me"), m -> m.path("credits").path("available").asLong() > 0);
        JsonNode clean = client.executeAs(admin, CHECK, Map.of()).data().path("runConsistencyCheck");
        assertThat(clean.path("differences")).as(clean.toString()).isEmpty();
        assertThat(clean.path("balancesChecked").asLong()).isPositive();

        // corrupt the balance view behind the service's back, through the view store's own port
        ConnectionString views = new ConnectionString(ServiceBackend.current().viewStoreUri(service));
        try (MongoClient mongo = MongoClients.create(views)) {
            var balances = mongo.getDatabase(views.getDatabase()).getCollection("credits_balance");
            assertThat(balances.updateOne(Filters.eq("_id", userId), Updates.set("available", 1L)).getMatchedCount())
                    .isEqualTo(1);
        }
        JsonNode found = client.executeAs(admin, CHECK, Map.of()).data().path("runConsistencyCheck");
        assertThat(found.path("differences")).as(found.toString()).hasSize(1);
        JsonNode difference = found.path("differences").get(0);
        assertThat(difference.path("view").asText()).isEqualTo("credits-balance");
        assertThat(difference.path("documentId").asText()).isEqualTo(userId);
        assertThat(difference.path("field").asText()).isEqualTo("available");
        assertThat(difference.path("actual").asLong()).isEqualTo(1L);
        assertThat(client.executeAs(admin, "{ consistencyCheck { differences { documentId } } }", Map.of()).data()
                .path("consistencyCheck").path("differences").get(0).path("documentId").asText()).isEqualTo(userId);
    }

    @Test
    void aPersonsAuditTrailAfterErasureHoldsNoPersonalValueButEveryEvent() throws Exception {
        String userId = register("Erased Person", "erased.person@example.org", "erased_person");
        String token = token("erased_person", PASSWORD);
        // an admin looks the person up (recorded, with the reason) before the erasure
        JsonNode person = client.executeAs(admin, "query P($e: String, $r: String!) { person(email: $e, reason: $r) "
                + "{ id email } }", Map.of("e", "erased.person@example.org", "r", "ticket 42")).data().path("person");
        assertThat(person.path("id").asText()).isEqualTo(userId);
        JsonNode before = client.executeAs(admin, "query T($id: ID!) { auditTrail(aggregateId: $id, reason: \"before\") "
                + "{ events { type payloadJson } } }", Map.of("id", userId)).data().path("auditTrail").path("events");
        assertThat(before.toString()).contains("erased.person@example.org");

        String requestId = client.executeAs(token, "mutation E($u: String!) { requestErasure(input: { confirmUsername: $u }) "
                + "{ ... on ErasureRequested { request { id } } } }", Map.of("u", "erased_person")).data()
                .path("requestErasure").path("request").path("id").asText();
        until(Duration.ofSeconds(30), () -> client.executeAs(admin, "query C($id: ID!) { erasureCertificate(requestId: $id) "
                + "{ requestId } }", Map.of("id", requestId)).data().path("erasureCertificate"), c -> !c.isNull());

        // the access log is a view: the certificate read just before may take a moment to show in it
        JsonNode trail = until(Duration.ofSeconds(10), () -> client.executeAs(admin, "query T($id: ID!) { "
                + "auditTrail(aggregateId: $id, reason: \"erasure audit\") "
                + "{ events { sequence type payloadJson } adminAccesses { adminId what reason } } }",
                Map.of("id", userId)).data().path("auditTrail"),
                t -> t.path("adminAccesses").findValuesAsText("what").contains("erasureCertificate"));
        JsonNode events = trail.path("events");
        List<String> types = events.findValuesAsText("type");
        // the same events as before, by their stable names, plus the erasure's own
        assertThat(types).startsWith("AccountRegistered").contains("ErasureRequested", "ErasureCompleted");
        assertThat(events.size()).isGreaterThan(before.size());
        String all = events.toString();
        assertThat(all).doesNotContain("erased.person@example.org").doesNotContain("Erased Person")
                .doesNotContain("erased_person");
        JsonNode registered = JSON.readTree(events.get(0).path("payloadJson").asText());
        assertThat(registered.path("email").asText()).isEqualTo("[erased]");
        assertThat(registered.path("name").asText()).isEqualTo("[erased]");
        assertThat(registered.path("username").asText()).isEqualTo("[erased]");
        // the admin's reads of the person show in the person's own trail, without personal values
        JsonNode accesses = trail.path("adminAccesses");
        assertThat(accesses.findValuesAsText("what")).contains("person:byEmail", "auditTrail", "erasureCertificate");
        assertThat(accesses.findValuesAsText("reason")).contains("ticket 42", "before");
        assertThat(accesses.toString()).doesNotContain("erased.person@example.org");
    }
}
