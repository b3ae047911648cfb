package net.kimik2.graphql.conversations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.conversations.ConversationMessages;
import net.kimik2.api.conversations.ConversationPage;
import net.kimik2.api.conversations.ConversationSummaryView;
import net.kimik2.api.conversations.ConversationView;
import net.kimik2.api.conversations.DailyUsageView;
import net.kimik2.api.conversations.DeleteConversationCommand;
import net.kimik2.api.conversations.FindConversationMessagesQuery;
import net.kimik2.api.conversations.FindConversationQuery;
import net.kimik2.api.conversations.FindConversationsQuery;
import net.kimik2.api.conversations.FindModelsQuery;
import net.kimik2.api.conversations.FindUsageSummaryQuery;
import net.kimik2.api.conversations.MessageView;
import net.kimik2.api.conversations.ModelList;
import net.kimik2.api.conversations.ModelView;
import net.kimik2.api.conversations.PromptAcceptance;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.graphql.ControllerTest;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.junit.jupiter.api.Test;

/** Prompts, conversations, models and usage; the promptStream subscription is in {@link PromptStreamTest}. */
class ConversationsControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final String CONVERSATION_ID = "c0ffee00-0000-4000-8000-000000000001";

    private void acceptEveryPrompt() {
        commands.on(SendPromptCommand.class, c -> new PromptAcceptance(c.promptId(), c.conversationId(), 4_096L));
    }

    @Test
    void sendPromptAnswersPromptAcceptedWithTheHeldCredits() {
        signInAsUser();
        acceptEveryPrompt();

        var response = graphQlTester.documentName("sendPrompt")
                .variable("input", Map.of("content", "Hello", "maxTokens", 512)).execute();

        SendPromptCommand sent = commands.sentOne(SendPromptCommand.class);
        assertThat(sent.userId()).isEqualTo(USER_ID);
        assertThat(sent.startsConversation()).isTrue();
        assertThat(sent.content()).isEqualTo("Hello");
        assertThat(sent.maxTokens()).isEqualTo(512);
        assertThat(commands.sent().get(0).getMetaData()).containsEntry(MetadataKeys.ACTOR_ID, USER_ID);
        response.path("sendPrompt.__typename").entity(String.class).isEqualTo("PromptAccepted")
                .path("sendPrompt.promptId").entity(String.class).isEqualTo(sent.promptId())
                .path("sendPrompt.conversationId").entity(String.class).isEqualTo(sent.conversationId())
                .path("sendPrompt.heldCredits").entity(Long.class).isEqualTo(4_096L);
    }

    @Test
    void sendPromptAnswersInsufficientCreditsWithWhatWouldBeHeldAndWhatCanBe() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw commandFailure(new DomainError(ErrorCode.INSUFFICIENT_CREDITS, null, "not enough credits",
                    Map.of("available", 100L, "required", 4_096L)));
        });

        graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello")).execute()
                .path("sendPrompt.__typename").entity(String.class).isEqualTo("InsufficientCredits")
                .path("sendPrompt.available").entity(Long.class).isEqualTo(100L)
                .path("sendPrompt.required").entity(Long.class).isEqualTo(4_096L);
    }

    @Test
    void sendPromptAnswersBusyWithTheRetryHintWhenTheModelCapacityIsExhausted() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw commandFailure(new DomainError(ErrorCode.BUSY, null, "busy", Map.of("retryAfterSeconds", 3L)));
        });

        graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello")).execute()
                .path("sendPrompt.__typename").entity(String.class).isEqualTo("Busy")
                .path("sendPrompt.retryAfterSeconds").entity(Integer.class).isEqualTo(3);
    }

    @Test
    void sendPromptAnswersBusyWhenTheDatabasePoolHadNoRoomInTime() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw new IllegalStateException("could not open a transaction",
                    new SQLTransientConnectionException("pool exhausted after 250ms"));
        });

        graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello")).execute()
                .path("sendPrompt.__typename").entity(String.class).isEqualTo("Busy")
                .path("sendPrompt.retryAfterSeconds").entity(Integer.class).isEqualTo(1);
    }

    @Test
    void sendPromptAnswersBusyWithoutSendingWhileTheCallerHasFourPromptsInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        commands.on(SendPromptCommand.class, c -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new PromptAcceptance(c.promptId(), c.conversationId(), 1L);
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<String>> inFlight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> {
                    signInAsUser();
                    return graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello"))
                            .execute().path("sendPrompt.__typename").entity(String.class).get();
                }, pool));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> commands.sent().size() == 4);

            signInAsUser();
            graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello")).execute()
                    .path("sendPrompt.__typename").entity(String.class).isEqualTo("Busy")
                    .path("sendPrompt.retryAfterSeconds").entity(Integer.class).isEqualTo(1);
            assertThat(commands.sent()).hasSize(4);

            release.countDown();
            for (CompletableFuture<String> answer : inFlight) {
                assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("PromptAccepted");
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void sendPromptAnswersValidationFailedForAMalformedIdempotencyKeyWithoutSending() {
        signInAsUser();

        graphQlTester.documentName("sendPrompt")
                .variable("input", Map.of("content", "Hello", "idempotencyKey", "not a key!")).execute()
                .path("sendPrompt.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("sendPrompt.field").entity(String.class).isEqualTo("idempotencyKey")
                .path("sendPrompt.message").entity(String.class)
                .isEqualTo("idempotencyKey must be 1 to 64 of [A-Za-z0-9_.:-]");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void sendPromptAnswersValidationFailedForAConversationThatIsNotTheCallers() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw commandFailure(ErrorCode.NOT_FOUND, "conversationId", "no such conversation");
        });

        graphQlTester.documentName("sendPrompt")
                .variable("input", Map.of("content", "Hello", "conversationId", CONVERSATION_ID)).execute()
                .path("sendPrompt.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("sendPrompt.field").entity(String.class).isEqualTo("conversationId")
                .path("sendPrompt.message").entity(String.class).isEqualTo("no such conversation");
        assertThat(commands.sentOne(SendPromptCommand.class).startsConversation()).isFalse();
    }

    @Test
    void sendPromptAnswersValidationFailedForARejectedPrompt() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "model", "unknown model");
        });

        graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello", "model", "nope"))
                .execute()
                .path("sendPrompt.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("sendPrompt.field").entity(String.class).isEqualTo("model");
    }

    @Test
    void sendPromptNeedsACaller() {
        var response = graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello"))
                .execute();

        assertThat(onlyError(response, "UNAUTHENTICATED", "sendPrompt").getMessage()).isEqualTo("sign in first");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void sendPromptHidesAnUnexpectedFailure() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw new IllegalStateException("model gateway key sk-secret rejected");
        });

        onlyInternalError(graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello"))
                .execute(), "sendPrompt", "sk-secret");
    }

    @Test
    void sendPromptPassesAConflictToTheErrorHandler() {
        signInAsUser();
        commands.on(SendPromptCommand.class, c -> {
            throw commandFailure(ErrorCode.CONFLICT, null, "the conversation changed, retry");
        });

        var response = graphQlTester.documentName("sendPrompt").variable("input", Map.of("content", "Hello"))
                .execute();

        assertThat(onlyError(response, "CONFLICT", "sendPrompt").getMessage())
                .isEqualTo("the conversation changed, retry");
    }

    @Test
    void deleteConversationIsTrueWhenTheCallersConversationWasDeleted() {
        signInAsUser();
        commands.on(DeleteConversationCommand.class, c -> true);

        graphQlTester.documentName("deleteConversation").variable("id", CONVERSATION_ID).execute()
                .path("deleteConversation").entity(Boolean.class).isEqualTo(true);
        DeleteConversationCommand sent = commands.sentOne(DeleteConversationCommand.class);
        assertThat(sent.conversationId()).isEqualTo(CONVERSATION_ID);
        assertThat(sent.userId()).isEqualTo(USER_ID);
    }

    @Test
    void deleteConversationIsFalseWhenThereIsNoSuchConversation() {
        signInAsUser();
        commands.on(DeleteConversationCommand.class, c -> {
            throw new AggregateNotFoundException(c.conversationId(), "not found");
        });

        graphQlTester.documentName("deleteConversation").variable("id", CONVERSATION_ID).execute()
                .path("deleteConversation").entity(Boolean.class).isEqualTo(false);
    }

    @Test
    void deleteConversationIsFalseWhenTheHandlerDeletedNothing() {
        signInAsUser();
        commands.on(DeleteConversationCommand.class, c -> false);

        graphQlTester.documentName("deleteConversation").variable("id", CONVERSATION_ID).execute()
                .path("deleteConversation").entity(Boolean.class).isEqualTo(false);
    }

    @Test
    void deleteConversationIsFalseForAMalformedIdWithoutSending() {
        signInAsUser();

        graphQlTester.documentName("deleteConversation").variable("id", "../etc/passwd").execute()
                .path("deleteConversation").entity(Boolean.class).isEqualTo(false);
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void deleteConversationNeedsACaller() {
        onlyError(graphQlTester.documentName("deleteConversation").variable("id", CONVERSATION_ID).execute(),
                "UNAUTHENTICATED", "deleteConversation");
    }

    @Test
    void conversationsIsAPageOfTheCallersConversationsWithTheirMessagesLoadedInOneQuery() {
        signInAsUser();
        queries.on(FindConversationsQuery.class, q -> new ConversationPage(List.of(
                new ConversationSummaryView("c-1", USER_ID, "First", T0, T0.plusSeconds(60), "cursor-1"),
                new ConversationSummaryView("c-2", USER_ID, null, T0, T0, "cursor-2")), true, "cursor-2"));
        queries.on(FindConversationMessagesQuery.class, q -> new ConversationMessages(List.of(
                message("m-1", "c-1", null, "user", "Hi"), message("m-2", "c-1", "m-1", "assistant", "Hello"),
                message("m-3", "c-2", null, "user", "Again"))));

        var response = graphQlTester.documentName("conversations").variable("first", 2).execute();

        response.path("conversations.edges[*].cursor").entityList(String.class).containsExactly("cursor-1", "cursor-2")
                .path("conversations.edges[0].node.id").entity(String.class).isEqualTo("c-1")
                .path("conversations.edges[0].node.title").entity(String.class).isEqualTo("First")
                .path("conversations.edges[0].node.updatedAt").entity(String.class).isEqualTo("2026-11-28T10:01:00Z")
                .path("conversations.edges[0].node.messages[*].id").entityList(String.class)
                .containsExactly("m-1", "m-2")
                .path("conversations.edges[0].node.messages[1].parentId").entity(String.class).isEqualTo("m-1")
                .path("conversations.edges[1].node.title").valueIsNull()
                .path("conversations.edges[1].node.messages[*].content").entityList(String.class)
                .containsExactly("Again")
                .path("conversations.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true)
                .path("conversations.pageInfo.endCursor").entity(String.class).isEqualTo("cursor-2");
        FindConversationsQuery asked = queries.askedOne(FindConversationsQuery.class);
        assertThat(asked.userId()).isEqualTo(USER_ID);
        assertThat(asked.page().first()).isEqualTo(2);
        FindConversationMessagesQuery messages = queries.askedOne(FindConversationMessagesQuery.class);
        assertThat(messages.userId()).isEqualTo(USER_ID);
        assertThat(messages.conversationIds()).containsExactly("c-1", "c-2");
    }

    @Test
    void conversationsRefusesAPageSizeOutOfRange() {
        signInAsUser();

        var response = graphQlTester.documentName("conversations").variable("first", 0).execute();

        assertThat(onlyError(response, "VALIDATION_FAILED", "conversations").getExtensions())
                .containsEntry("field", "first");
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void conversationsNeedsACaller() {
        onlyError(graphQlTester.documentName("conversations").execute(), "UNAUTHENTICATED", "conversations");
    }

    @Test
    void conversationIsOneOfTheCallersConversationsWithAllItsMessages() {
        signInAsUser();
        MessageView answer = new MessageView("m-2", CONVERSATION_ID, USER_ID, "m-1", "assistant", "Hello",
                "kimi-k2", "offline:kimi-k2", T0.plusSeconds(2), new TokenUsage(12, 4, 30, 1_234L, "v1", false), null);
        queries.on(FindConversationQuery.class, q -> Optional.of(new ConversationView(CONVERSATION_ID, USER_ID,
                "Greeting", T0, T0.plusSeconds(2), List.of(message("m-1", CONVERSATION_ID, null, "user", "Hi"),
                answer))));

        graphQlTester.documentName("conversation").variable("id", CONVERSATION_ID).execute()
                .path("conversation.id").entity(String.class).isEqualTo(CONVERSATION_ID)
                .path("conversation.title").entity(String.class).isEqualTo("Greeting")
                .path("conversation.messages[*].role").entityList(String.class).containsExactly("user", "assistant")
                .path("conversation.messages[0].usage").valueIsNull()
                .path("conversation.messages[1].servedBy").entity(String.class).isEqualTo("offline:kimi-k2")
                .path("conversation.messages[1].usage.promptTokens").entity(Integer.class).isEqualTo(12)
                .path("conversation.messages[1].usage.cachedTokens").entity(Integer.class).isEqualTo(4)
                .path("conversation.messages[1].usage.completionTokens").entity(Integer.class).isEqualTo(30)
                .path("conversation.messages[1].usage.costCredits").entity(Long.class).isEqualTo(1_234L)
                .path("conversation.messages[1].usage.priceVersion").entity(String.class).isEqualTo("v1")
                .path("conversation.messages[1].usage.estimated").entity(Boolean.class).isEqualTo(false);
        assertThat(queries.askedOne(FindConversationQuery.class))
                .isEqualTo(new FindConversationQuery(CONVERSATION_ID, USER_ID));
        assertThat(queries.asked()).hasSize(1); // the messages came with the conversation
    }

    @Test
    void conversationIsNullWhenMissingOrNotTheCallers() {
        signInAsUser();
        queries.on(FindConversationQuery.class, q -> Optional.empty());

        graphQlTester.documentName("conversation").variable("id", CONVERSATION_ID).execute()
                .path("conversation").valueIsNull();
    }

    @Test
    void conversationIsNullForAMalformedIdWithoutAQuery() {
        signInAsUser();

        graphQlTester.documentName("conversation").variable("id", "x y").execute().path("conversation").valueIsNull();
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void conversationNeedsACaller() {
        onlyError(graphQlTester.documentName("conversation").variable("id", CONVERSATION_ID).execute(),
                "UNAUTHENTICATED", "conversation");
    }

    @Test
    void modelsListsTheModelsWithTheirPricesWithoutSigningIn() {
        queries.on(FindModelsQuery.class, q -> new ModelList(List.of(
                new ModelView("kimi-k2", 131_072, 150_000L, 600_000L, 2_500_000L, "v1")), "kimi-k2", true));

        graphQlTester.documentName("models").execute()
                .path("models[0].id").entity(String.class).isEqualTo("kimi-k2")
                .path("models[0].contextLength").entity(Integer.class).isEqualTo(131_072)
                .path("models[0].inputCacheHitPerMillion").entity(Long.class).isEqualTo(150_000L)
                .path("models[0].inputCacheMissPerMillion").entity(Long.class).isEqualTo(600_000L)
                .path("models[0].outputPerMillion").entity(Long.class).isEqualTo(2_500_000L)
                .path("models[0].priceVersion").entity(String.class).isEqualTo("v1");
    }

    @Test
    void usageSummaryCoversTheLast30UtcDaysByDefault() {
        signInAsUser();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        queries.on(FindUsageSummaryQuery.class, q -> new net.kimik2.api.conversations.UsageSummary(List.of(
                new DailyUsageView(today, "kimi-k2", 3, 1_000L, 200L, 500L, 9_000L, 1))));

        graphQlTester.documentName("usageSummary").execute()
                .path("usageSummary[0].day").entity(String.class).isEqualTo(today.toString())
                .path("usageSummary[0].model").entity(String.class).isEqualTo("kimi-k2")
                .path("usageSummary[0].answers").entity(Integer.class).isEqualTo(3)
                .path("usageSummary[0].promptTokens").entity(Long.class).isEqualTo(1_000L)
                .path("usageSummary[0].cachedTokens").entity(Long.class).isEqualTo(200L)
                .path("usageSummary[0].completionTokens").entity(Long.class).isEqualTo(500L)
                .path("usageSummary[0].costCredits").entity(Long.class).isEqualTo(9_000L)
                .path("usageSummary[0].estimatedAnswers").entity(Integer.class).isEqualTo(1);
        FindUsageSummaryQuery asked = queries.askedOne(FindUsageSummaryQuery.class);
        assertThat(asked.userId()).isEqualTo(USER_ID);
        assertThat(asked.to()).isEqualTo(today);
        assertThat(asked.from()).isEqualTo(today.minusDays(29));
    }

    @Test
    void usageSummaryRefusesASpanOutsideOneTo366Days() {
        signInAsUser();
        for (int days : new int[] {0, 367}) {
            var response = graphQlTester.documentName("usageSummary").variable("days", days).execute();
            assertThat(onlyError(response, "VALIDATION_FAILED", "usageSummary").getExtensions())
                    .containsEntry("field", "days");
        }
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void usageSummaryNeedsACaller() {
        onlyError(graphQlTester.documentName("usageSummary").execute(), "UNAUTHENTICATED", "usageSummary");
    }

    @Test
    void aFailingViewIsAnErrorWithItsCodeAndNoInternals() {
        signInAsUser();
        queries.on(FindConversationQuery.class, q -> {
            throw queryFailure(ErrorCode.FORBIDDEN, null, "not yours");
        });

        var response = graphQlTester.documentName("conversation").variable("id", CONVERSATION_ID).execute();

        assertThat(onlyError(response, "FORBIDDEN", "conversation").getMessage()).isEqualTo("not yours");
    }

    private static MessageView message(String id, String conversationId, String parentId, String role,
                                       String content) {
        return new MessageView(id, conversationId, USER_ID, parentId, role, content, "kimi-k2", null, T0, null, null);
    }
}
