package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import net.kimik2.app.e2e.MoonshotStub.Scenario;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the shared model capacity (concurrent calls plus queue) is used up, sendPrompt answers Busy with a retry hint
 * at once and holds nothing; once capacity frees up, prompts are accepted again.
 */
class PromptBusyIT {

    @Test
    void aFullQueueAnswersBusyAndHoldsNothing(@TempDir Path temp) throws Exception {
        try (MoonshotStub stub = new MoonshotStub()) {
            stub.defaultScenario(Scenario.ok("slow", " answer").withChunkDelay(Duration.ofSeconds(3)));
            Map<String, String> env = new HashMap<>(MoonshotStub.serviceEnv(stub));
            env.put("KIMI_MODEL_MAX_CONCURRENT", "1");
            env.put("KIMI_MODEL_MAX_QUEUED", "1");
            try (ServiceProcess service = ServiceBackend.service(temp.resolve("data"), env).start()) {
                GraphQlClient client = service.client();
                client.execute(REGISTER, registerInput("Busy Tester", "busy@example.org", "busy_tester",
                        "a long enough passphrase"));
                String token = client.execute(LOGIN, loginInput("busy_tester", "a long enough passphrase")).data()
                        .path("login").path("token").asText();

                JsonNode running = send(client, token, "first");
                assertThat(running.path("__typename").asText()).isEqualTo("PromptAccepted");
                assertThat(stub.awaitChatRequests(1, Duration.ofSeconds(10))).isTrue();
                JsonNode queued = send(client, token, "second");
                assertThat(queued.path("__typename").asText()).isEqualTo("PromptAccepted");
                long held = running.path("heldCredits").asLong() + queued.path("heldCredits").asLong();

                JsonNode busy = send(client, token, "third");
                assertThat(busy.path("__typename").asText()).as(busy.toString()).isEqualTo("Busy");
                assertThat(busy.path("retryAfterSeconds").asInt()).isPositive();
                JsonNode credits = client.executeAs(token, "{ me { credits { available held } } }", Map.of()).data()
                        .path("me").path("credits");
                assertThat(credits.path("held").asLong()).as("nothing held for the busy prompt").isEqualTo(held);

                // the capacity frees up when the two answers are done
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                JsonNode later = null;
                while (System.nanoTime() < deadline) {
                    later = send(client, token, "later");
                    if ("PromptAccepted".equals(later.path("__typename").asText())) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(later.path("__typename").asText()).isEqualTo("PromptAccepted");
            }
        }
    }

    private static JsonNode send(GraphQlClient client, String token, String content) throws Exception {
        return client.executeAs(token, PromptsIT.SEND, Map.of("input", Map.of("content", content))).data()
                .path("sendPrompt");
    }
}
