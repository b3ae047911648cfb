package net.kimik2.query.conversations;

import static net.kimik2.query.platform.ProjectionHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationPage;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.ConversationView;
import net.kimik2.api.conversations.DailyUsageView;
import net.kimik2.api.conversations.FindConversationQuery;
import net.kimik2.api.conversations.FindConversationsQuery;
import net.kimik2.api.conversations.FindPromptAnswerQuery;
import net.kimik2.api.conversations.FindUsageSummaryQuery;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.conversations.UsageSummary;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import net.kimik2.query.platform.ProjectionHarness;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConversationProjectionTest {

    private static final Instant T0 = Instant.parse("2026-11-27T23:59:00Z");

    private final LocalKeyEncryptionService kes = new LocalKeyEncryptionService(List.of(randomKek()));
    private final KeyVault vault = new KeyVault("jdbc:h2:mem:vault-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            null, null, kes);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DataKeys keys = new DataKeys(vault, kes, meters, 100, Duration.ofMinutes(5));
    private final FieldCipher cipher = new FieldCipher(keys, meters);
    private ConversationProjection projection;
    private final ProjectionHarness harness = new ProjectionHarness(
            (mongo, emitter) -> List.of(projection = new ConversationProjection(mongo, cipher)));

    @AfterEach
    void tearDown() {
        harness.close();
        vault.destroy();
    }

    private static String randomKek() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Base64.getEncoder().encodeToString(kek);
    }

    /** A conversation with one answered prompt: started (0), submitted (1), answered (2). */
    private void conversation(String id, String user, Instant at, TokenUsage usage) {
        harness.deliver(
                event(id, 0, new ConversationStartedEvent(id, user, "Title of " + id, at), at),
                event(id, 1, new PromptSubmittedEvent(id, user, "p-" + id, "m-u-" + id, null, "question " + id,
                        "kimi-k2-0905-preview", 100, 5000, at), at),
                event(id, 2, new AnswerRecordedEvent(id, user, "p-" + id, "m-a-" + id, "m-u-" + id, "answer " + id,
                        "kimi-k2-0905-preview", "kimi-k2-0905-preview", "stop", usage, at.plusSeconds(2)),
                        at.plusSeconds(2)));
    }

    private static TokenUsage usage(int prompt, int cached, int completion, long cost) {
        return new TokenUsage(prompt, cached, completion, cost, "2026-01", false);
    }

    private Optional<ConversationView> find(String id, String user) {
        return harness.query(new FindConversationQuery(id, user), ResponseTypes.optionalInstanceOf(ConversationView.class));
    }

    @Test
    void theOwnerReadsTheDecryptedConversationAndTheStoreHoldsOnlyEnvelopes() {
        conversation("c-1", "u-1", T0, usage(100, 20, 10, 73));

        ConversationView view = find("c-1", "u-1").orElseThrow();
        assertThat(view.title()).isEqualTo("Title of c-1");
        assertThat(view.messages()).extracting(m -> m.role() + ":" + m.content())
                .containsExactly("user:question c-1", "assistant:answer c-1");
        assertThat(view.messages().get(1).parentId()).isEqualTo("m-u-c-1");
        assertThat(view.messages().get(1).usage()).isEqualTo(usage(100, 20, 10, 73));
        assertThat(view.messages().get(0).usage()).isNull();

        for (Document d : harness.mongo.getCollection(ConversationProjection.MESSAGES).find()) {
            assertThat(d.getString("content")).startsWith(FieldCipher.PREFIX).doesNotContain("c-1");
        }
        assertThat(harness.mongo.getCollection(ConversationProjection.CONVERSATIONS).find().first().getString("title"))
                .startsWith(FieldCipher.PREFIX);
        assertThat(find("c-1", "u-2")).isEmpty();
        assertThat(harness.query(new FindPromptAnswerQuery("p-c-1", "u-1"),
                ResponseTypes.optionalInstanceOf(PromptChunkView.class)).orElseThrow().delta()).isEqualTo("answer c-1");
        assertThat(harness.query(new FindPromptAnswerQuery("p-c-1", "u-2"),
                ResponseTypes.optionalInstanceOf(PromptChunkView.class))).isEmpty();
    }

    @Test
    void aRedeliveredBatchChangesNothing() {
        conversation("c-1", "u-1", T0, usage(100, 0, 10, 85));
        conversation("c-1", "u-1", T0, usage(100, 0, 10, 85));
        assertThat(find("c-1", "u-1").orElseThrow().messages()).hasSize(2);
        assertThat(summary("u-1").days()).singleElement().extracting(DailyUsageView::answers).isEqualTo(1);
    }

    @Test
    void conversationsArePagedNewestFirstPerUser() {
        conversation("c-1", "u-1", T0, usage(1, 0, 1, 3));
        conversation("c-2", "u-1", T0.plusSeconds(10), usage(1, 0, 1, 3));
        conversation("c-3", "u-1", T0.plusSeconds(20), usage(1, 0, 1, 3));
        conversation("c-x", "u-2", T0.plusSeconds(30), usage(1, 0, 1, 3));

        ConversationPage first = harness.query(new FindConversationsQuery("u-1", new PageRequest(2, null)),
                ResponseTypes.instanceOf(ConversationPage.class));
        assertThat(first.conversations()).extracting(c -> c.id()).containsExactly("c-3", "c-2");
        assertThat(first.hasNextPage()).isTrue();
        ConversationPage second = harness.query(new FindConversationsQuery("u-1", new PageRequest(2, first.endCursor())),
                ResponseTypes.instanceOf(ConversationPage.class));
        assertThat(second.conversations()).extracting(c -> c.id()).containsExactly("c-1");
        assertThat(second.hasNextPage()).isFalse();
    }

    @Test
    void aFailedPromptShowsAsAFailedAnswerAndStreamsAsAFinalChunkWithItsFailureCode() {
        Instant at = T0;
        String userMessage = SendPromptCommand.messageId("p-f", "user");
        harness.deliver(
                event("c-f", 0, new ConversationStartedEvent("c-f", "u-1", "Title", at), at),
                event("c-f", 1, new PromptSubmittedEvent("c-f", "u-1", "p-f", userMessage, null, "question",
                        "kimi-k2-0905-preview", 100, 5000, at), at),
                event("c-f", 2, new PromptFailedEvent("c-f", "u-1", "p-f", PromptFailureCode.INTERRUPTED,
                        at.plusSeconds(900)), at.plusSeconds(900)));

        ConversationView view = find("c-f", "u-1").orElseThrow();
        assertThat(view.messages()).hasSize(2);
        var failed = view.messages().get(1);
        assertThat(failed.id()).isEqualTo(SendPromptCommand.messageId("p-f", "assistant"));
        assertThat(failed.parentId()).isEqualTo(userMessage);
        assertThat(failed.role()).isEqualTo("assistant");
        assertThat(failed.content()).isEmpty();
        assertThat(failed.usage()).isNull();
        assertThat(failed.failureCode()).isEqualTo(PromptFailureCode.INTERRUPTED);

        PromptChunkView chunk = harness.query(new FindPromptAnswerQuery("p-f", "u-1"),
                ResponseTypes.optionalInstanceOf(PromptChunkView.class)).orElseThrow();
        assertThat(chunk.done()).isTrue();
        assertThat(chunk.failureCode()).isEqualTo(PromptFailureCode.INTERRUPTED);
        assertThat(chunk.usage()).isNull();
        assertThat(chunk.delta()).isEmpty();
        assertThat(harness.query(new FindPromptAnswerQuery("p-f", "u-2"),
                ResponseTypes.optionalInstanceOf(PromptChunkView.class))).isEmpty();
        // a failed answer cost nothing and is not counted as an answer
        assertThat(summary("u-1").days()).isEmpty();
    }

    @Test
    void theUsageSummaryAddsUpAnswersPerUtcDayAndModel() {
        conversation("c-1", "u-1", T0, usage(100, 20, 10, 73)); // answered 23:59:02 on the 27th
        conversation("c-2", "u-1", T0.plusSeconds(60), usage(50, 0, 5, 43)); // answered on the 28th
        conversation("c-3", "u-1", T0.plusSeconds(120), usage(10, 0, 1, 9));

        List<DailyUsageView> days = summary("u-1").days();
        assertThat(days).containsExactly(
                new DailyUsageView(LocalDate.parse("2026-11-28"), "kimi-k2-0905-preview", 2, 60, 0, 6, 52, 0),
                new DailyUsageView(LocalDate.parse("2026-11-27"), "kimi-k2-0905-preview", 1, 100, 20, 10, 73, 0));
        assertThat(summary("u-2").days()).isEmpty();
    }

    @Test
    void deletionAndErasureDropTheDocumentsAndAReplayDoesNotBringThemBack() {
        conversation("c-1", "u-1", T0, usage(1, 0, 1, 3));
        conversation("c-2", "u-1", T0, usage(1, 0, 1, 3));
        conversation("c-3", "u-2", T0, usage(1, 0, 1, 3));
        harness.deliver(event("c-1", 3, new ConversationDeletedEvent("c-1", "u-1", T0), T0));
        keys.fence("conversation:c-1", "u-1", "deletion:c-1");
        keys.destroy("conversation:c-1");
        assertThat(find("c-1", "u-1")).isEmpty();
        assertThat(find("c-2", "u-1")).isPresent();

        harness.deliver(event("u-1", 5, new ErasureRequestedEvent("u-1", "r-1", T0, T0.plusSeconds(86400 * 30),
                "u-1", false, "gdpr-17"), T0));
        // left for erasure step 4 to count and delete: the person's remaining conversation and its two messages
        Map<String, Bson> documents = projection.subjectDocuments("u-1");
        assertThat(documents.keySet()).containsExactly(ConversationProjection.MESSAGES,
                ConversationProjection.CONVERSATIONS);
        assertThat(documents.entrySet()).map(e -> harness.mongo.getCollection(e.getKey()).countDocuments(e.getValue()))
                .containsExactly(2L, 1L);
        harness.deliver(event("u-1", 6, new ErasureCompletedEvent("u-1", "r-1", new ErasureCertificate("r-1", "u-1",
                List.of("user:u-1"), List.of("00"), 6, 3, T0, T0, "u-1", "gdpr-17")), T0));
        assertThat(find("c-2", "u-1")).isEmpty();
        assertThat(documents.entrySet()).map(e -> harness.mongo.getCollection(e.getKey()).countDocuments(e.getValue()))
                .containsExactly(0L, 0L);
        assertThat(find("c-3", "u-2")).isPresent();

        // replay: the deleted conversation's key is gone, so it is not rebuilt
        harness.reset();
        conversation("c-1", "u-1", T0, usage(1, 0, 1, 3));
        conversation("c-3", "u-2", T0, usage(1, 0, 1, 3));
        assertThat(find("c-1", "u-1")).isEmpty();
        assertThat(find("c-3", "u-2")).isPresent();
    }

    private UsageSummary summary(String user) {
        return harness.query(new FindUsageSummaryQuery(user, LocalDate.parse("2026-11-01"),
                LocalDate.parse("2026-11-30")), ResponseTypes.instanceOf(UsageSummary.class));
    }
}
