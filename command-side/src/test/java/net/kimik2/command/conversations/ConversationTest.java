package net.kimik2.command.conversations;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.DeleteConversationCommand;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConversationTest {

    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");
    private FixtureConfiguration<Conversation> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Conversation.class);
    }

    private static ConversationStartedEvent started() {
        return new ConversationStartedEvent("c-1", "u-1", "Hello", NOW);
    }

    private static PromptSubmittedEvent submitted() {
        return new PromptSubmittedEvent("c-1", "u-1", "p-1", Conversation.messageId("p-1", "user"), null, "Hello",
                "kimi-k2-0905-preview", 100, 500, NOW);
    }

    @Test
    void theOwnerDeletesTheConversationOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted())
                .when(new DeleteConversationCommand("c-1", "u-1"))
                .expectEvents(new ConversationDeletedEvent("c-1", "u-1", NOW))
                .expectResultMessagePayload(true);
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted(), new ConversationDeletedEvent("c-1", "u-1", NOW))
                .when(new DeleteConversationCommand("c-1", "u-1"))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void someoneElseCannotDeleteItAndLearnsNothing() {
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted())
                .when(new DeleteConversationCommand("c-1", "u-2"))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void theTitleIsTheFirstLineShortenedByCodePoints() {
        assertThat(Conversation.title("  What is a monad?\nAnd why?")).isEqualTo("What is a monad?");
        assertThat(Conversation.title("\n\n   ")).isEqualTo("New conversation");
        String longLine = "😀".repeat(80);
        String title = Conversation.title(longLine);
        assertThat(title.codePointCount(0, title.length())).isEqualTo(Conversation.TITLE_LENGTH);
        assertThat(title).endsWith("…");
    }

    @Test
    void messageIdsAreStablePerPromptAndRole() {
        assertThat(Conversation.messageId("p-1", "user")).isEqualTo(Conversation.messageId("p-1", "user"))
                .isNotEqualTo(Conversation.messageId("p-1", "assistant"))
                .isNotEqualTo(Conversation.messageId("p-2", "user"));
    }
}
