package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a model API key the offline model answers, labelled as such and priced like the default model, so the
 * money flow runs for real. With no delay between its chunks an answer can be complete before the accepting request
 * has returned: settling must still happen (once) outside that request.
 */
class OfflineModelIT {

    @Test
    void instantOfflineAnswersAreStoredChargedAndLabelled(@TempDir Path temp) throws Exception {
        Map<String, String> env = Map.of("KIMI_SIGNUP_CREDITS", "10000000", "KIMI_MODEL_OFFLINE_CHUNK_DELAY", "0ms");
        try (ServiceProcess service = ServiceBackend.service(temp.resolve("data"), env).start()) {
            GraphQlClient client = service.client();
            client.execute(REGISTER, registerInput("Offline Tester", "offline@example.org", "offline_tester",
                    "a long enough passphrase"));
            String token = client.execute(LOGIN, loginInput("offline_tester", "a long enough passphrase")).data()
                    .path("login").path("token").asText();

            int prompts = 24;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<JsonNode>> sent = new ArrayList<>();
            for (int i = 0; i < prompts; i++) {
                int n = i;
                sent.add(pool.submit(() -> client.executeAs(token, PromptsIT.SEND,
                        Map.of("input", Map.of("content", "offline question " + n))).data().path("sendPrompt")));
            }
            List<String> conversations = new ArrayList<>();
            for (Future<JsonNode> f : sent) {
                JsonNode r = f.get();
                assertThat(r.path("__typename").asText()).as(r.toString()).isEqualTo("PromptAccepted");
                conversations.add(r.path("conversationId").asText());
            }
            pool.shutdown();

            long spent = 0;
            for (String id : conversations) {
                JsonNode answer = awaitAnswer(client, token, id);
                assertThat(answer.path("servedBy").asText()).isEqualTo("offline:kimi-k2-0905-preview");
                assertThat(answer.path("content").asText()).startsWith("[offline model]");
                JsonNode usage = answer.path("usage");
                assertThat(usage.path("promptTokens").asInt()).isPositive();
                assertThat(usage.path("completionTokens").asInt()).isPositive();
                assertThat(usage.path("costCredits").asLong()).isEqualTo(PromptsIT.cost(
                        usage.path("promptTokens").asLong(), usage.path("cachedTokens").asLong(),
                        usage.path("completionTokens").asLong()));
                spent += usage.path("costCredits").asLong();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            JsonNode credits = null;
            while (System.nanoTime() < deadline) {
                credits = client.executeAs(token, "{ me { credits { available held debt } } }", Map.of()).data()
                        .path("me").path("credits");
                if (credits.path("held").asLong() == 0 && credits.path("available").asLong() == 10_000_000 - spent) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(credits.path("held").asLong()).isZero();
            assertThat(credits.path("available").asLong()).isEqualTo(10_000_000 - spent);
            assertThat(service.log()).doesNotContain("could not be settled").doesNotContain("settle attempt");
        }
    }

    private static JsonNode awaitAnswer(GraphQlClient client, String token, String conversationId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode messages = client.executeAs(token, PromptsIT.CONVERSATION, Map.of("id", conversationId)).data()
                    .path("conversation").path("messages");
            if (messages.size() == 2) {
                return messages.get(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer in " + conversationId);
    }
}
