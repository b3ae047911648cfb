package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;
import net.kimik2.command.conversations.TokenEstimator;
import net.kimik2.command.conversations.Usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OfflineModelTest {

    private final OfflineModel model = new OfflineModel(Duration.ofMillis(5));

    @AfterEach
    void close() {
        model.close();
    }

    private static ChatRequest request(int maxTokens) {
        return new ChatRequest("kimi-k2-0905-preview", List.of(ChatMessage.system("You are Kimi."),
                ChatMessage.user("What is the capital of France? Answer in one word please.")), maxTokens, "req-1");
    }

    @Test
    void streamsAClearlyLabelledDeterministicAnswerWithConsistentUsage() throws Exception {
        List<String> chunks = new CopyOnWriteArrayList<>();

        Completion completion = model.complete(request(1024), chunks::add).get(5, TimeUnit.SECONDS);

        assertThat(chunks).hasSizeGreaterThanOrEqualTo(3);
        assertThat(String.join("", chunks)).isEqualTo(completion.text());
        assertThat(completion.text()).startsWith("[offline model]").doesNotContain("capital of France");
        assertThat(completion.modelId()).isEqualTo("offline:kimi-k2-0905-preview");
        assertThat(completion.usageReported()).isTrue();
        assertThat(completion.finishReason()).isEqualTo("stop");
        assertThat(completion.usage()).isEqualTo(new Usage(
                TokenEstimator.estimatePromptTokens(request(1024).messages()), 0,
                TokenEstimator.estimateTokens(completion.text())));
        // ~4 characters per token for this ASCII text
        assertThat(completion.usage().completionTokens()).isEqualTo((completion.text().length() + 3) / 4);
        assertThat(completion.usage().promptTokens())
                .isEqualTo(3 + 4 + (13 + 3) / 4 + 4 + (57 + 3) / 4);

        Completion again = model.complete(request(1024), DeltaListener.NONE).get(5, TimeUnit.SECONDS);
        assertThat(again).isEqualTo(completion);
    }

    @Test
    void theAnswerFitsMaxTokens() throws Exception {
        Completion completion = model.complete(request(8), DeltaListener.NONE).get(5, TimeUnit.SECONDS);

        assertThat(completion.usage().completionTokens()).isLessThanOrEqualTo(8).isPositive();
        assertThat(completion.finishReason()).isEqualTo("length");
        assertThat(completion.text()).isNotEmpty();
    }

    @Test
    void aThrowingListenerDoesNotStopTheAnswer() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        Completion completion = model.complete(request(1024), text -> {
            calls.incrementAndGet();
            throw new IllegalStateException("gone");
        }).get(5, TimeUnit.SECONDS);

        assertThat(calls).hasValue(1);
        assertThat(completion.usageReported()).isTrue();
        assertThat(completion.text()).startsWith("[offline model]");
    }

    @Test
    void estimatesNonAsciiTextConservatively() {
        assertThat(TokenEstimator.estimateTokens("")).isZero();
        assertThat(TokenEstimator.estimateTokens("abcd")).isEqualTo(1);
        assertThat(TokenEstimator.estimateTokens("abcde")).isEqualTo(2);
        assertThat(TokenEstimator.estimateTokens("你好")).isEqualTo(2);
        assertThat(TokenEstimator.estimateTokens("hi 你好 😀")).isEqualTo(1 + 2 + 1);
    }
}
