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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.kimik2.app.e2e.MoonshotStub.Scenario;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the service dies while a prompt runs, the restarted service ends that prompt at once as INTERRUPTED (issue
 * 14): its hold is released, the conversation records the failed answer and promptStream ends with a final chunk
 * carrying the failure code, long before the hold's own deadline (the backstop) would have come.
 */
class PromptRecoveryIT {

    @Test
    void aPromptCutByACrashEndsAsInterruptedRightAfterRestart(@TempDir Path temp) throws Exception {
        try (MoonshotStub stub = new MoonshotStub()) {
            // the model never answers in time: the prompt is still running when the service is killed
            stub.defaultScenario(Scenario.ok("too late").withFirstTokenDelay(Duration.ofSeconds(90)));
            Map<String, String> env = new HashMap<>(MoonshotStub.serviceEnv(stub));
            env.put("KIMI_MODEL_FIRST_TOKEN_TIMEOUT", "120s");
            // far beyond the test: only the restart itself can end the prompt in time
            env.put("KIMI_PROMPTS_HOLD_TTL", "PT10M");
            env.put("DB_SCHEDULER_POLLING_INTERVAL", "1s");
            env.put("KIMI_ADMIN_PASSWORD", "admin password for the recovery test");
            ServiceProcess service = ServiceBackend.service(temp.resolve("data"), env).start();
            try {
                GraphQlClient client = service.client();
                client.execute(REGISTER, registerInput("Crash Tester", "crash@example.org", "crash_tester",
                        "a long enough passphrase"));
                String token = client.execute(LOGIN, loginInput("crash_tester", "a long enough passphrase")).data()
                        .path("login").path("token").asText();
                // one prompt answered before the crash...
                stub.enqueue(Scenario.ok(List.of("before ", "the crash"), new MoonshotStub.Usage(12, 0, 2)));
                JsonNode answered = client.executeAs(token, PromptsIT.SEND,
                        Map.of("input", Map.of("content", "answer me first"))).data().path("sendPrompt");
                assertThat(answered.path("__typename").asText()).isEqualTo("PromptAccepted");
                long charged = PromptsIT.cost(12, 0, 2);
                awaitCredits(client, token, 1_000_000 - charged, 0);
                // ...and one still running when it dies
                JsonNode accepted = client.executeAs(token, PromptsIT.SEND,
                        Map.of("input", Map.of("content", "will you survive?"))).data().path("sendPrompt");
                assertThat(accepted.path("__typename").asText()).isEqualTo("PromptAccepted");
                long held = accepted.path("heldCredits").asLong();
                assertThat(stub.awaitChatRequests(2, Duration.ofSeconds(10))).isTrue();
                awaitCredits(client, token, 1_000_000 - charged - held, held);

                service.kill();
                service.start();

                // right after the restart, well before the hold's deadline: released as failed, nothing spent or held
                // the balance and the ledger are separate views: wait for both (the ledger's six entries)
                JsonNode data = awaitCredits(client(service), token, 1_000_000 - charged, 0, 6);
                JsonNode entries = data.path("creditLedger").path("edges");
                assertThat(entries.findValuesAsText("kind")).containsExactly("release", "hold", "capture", "release",
                        "hold", "grant");
                assertThat(entries.get(0).path("node").path("reference").asText()).endsWith(":failed");
                assertThat(entries.get(0).path("node").path("amount").asLong()).isEqualTo(held);

                // and the conversation marked the prompt interrupted (audit trail of its events)
                String admin = client(service).execute(LOGIN, loginInput("admin",
                        "admin password for the recovery test")).data().path("login").path("token").asText();
                String conversationId = accepted.path("conversationId").asText();
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                JsonNode types = null;
                while (System.nanoTime() < until) {
                    types = client(service).executeAs(admin, "query A($id: ID!) { auditTrail(aggregateId: $id, reason: \"recovery check\") "
                            + "{ events { type payloadJson } } }", Map.of("id", conversationId)).data()
                            .path("auditTrail").path("events");
                    if (types.size() == 3) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(types.findValuesAsText("type")).containsExactly(
                        "ConversationStarted",
                        "PromptSubmitted",
                        "PromptFailed");
                assertThat(types.get(2).path("payloadJson").asText()).contains("INTERRUPTED");

                // the conversation shows the failed answer under the interrupted question
                JsonNode conversationMessages = null;
                long viewUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < viewUntil) {
                    conversationMessages = client(service).executeAs(token, PromptsIT.CONVERSATION,
                            Map.of("id", conversationId)).data().path("conversation").path("messages");
                    if (conversationMessages.size() == 2) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(conversationMessages).hasSize(2);
                assertThat(conversationMessages.get(1).path("role").asText()).isEqualTo("assistant");
                assertThat(conversationMessages.get(1).path("parentId").asText())
                        .isEqualTo(conversationMessages.get(0).path("id").asText());
                assertThat(conversationMessages.get(1).path("failureCode").asText()).isEqualTo("INTERRUPTED");
                assertThat(conversationMessages.get(1).path("usage").isNull()).isTrue();

                // the stream of the prompt answered before the crash is no longer in memory: it replays the stored
                // answer as one final chunk; the interrupted one ends with a final chunk carrying its failure code
                URI ws = URI.create(service.baseUrl().replace("http://", "ws://") + "/graphql");
                try (GraphQlWsClient socket = GraphQlWsClient.connect(ws, Map.of("Authorization", "Bearer " + token))) {
                    var messages = socket.subscribe("old", PromptsIT.STREAM,
                            Map.of("id", answered.path("promptId").asText())).awaitAll(Duration.ofSeconds(20));
                    assertThat(messages).hasSize(2);
                    JsonNode chunk = messages.get(0).payload().path("data").path("promptStream");
                    assertThat(chunk.path("delta").asText()).isEqualTo("before the crash");
                    assertThat(chunk.path("done").asBoolean()).isTrue();
                    assertThat(chunk.path("usage").path("costCredits").asLong()).isEqualTo(charged);
                    var interrupted = socket.subscribe("gone", PromptsIT.STREAM,
                            Map.of("id", accepted.path("promptId").asText())).awaitAll(Duration.ofSeconds(20));
                    assertThat(interrupted).hasSize(2);
                    JsonNode last = interrupted.get(0).payload().path("data").path("promptStream");
                    assertThat(last.path("done").asBoolean()).as(last.toString()).isTrue();
                    assertThat(last.path("failureCode").asText()).isEqualTo("INTERRUPTED");
                    assertThat(last.path("usage").isNull()).isTrue();
                }
            } finally {
                service.close();
            }
        }
    }

    private static GraphQlClient client(ServiceProcess service) {
        return service.client();
    }

    private static JsonNode awaitCredits(GraphQlClient client, String token, long available, long held)
            throws Exception {
        return awaitCredits(client, token, available, held, 0);
    }

    private static JsonNode awaitCredits(GraphQlClient client, String token, long available, long held,
                                         int ledgerEntries) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode data = null;
        while (System.nanoTime() < deadline) {
            data = client.executeAs(token, PromptsIT.LEDGER_AND_BALANCE, Map.of()).data();
            JsonNode credits = data.path("me").path("credits");
            if (credits.path("available").asLong() == available && credits.path("held").asLong() == held
                    && data.path("creditLedger").path("edges").size() >= ledgerEntries) {
                return data;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("credits never became available=" + available + " held=" + held + ": " + data);
    }
}
