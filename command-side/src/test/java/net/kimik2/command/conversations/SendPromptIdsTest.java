package net.kimik2.command.conversations;

import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.platform.ErrorCode;
import org.junit.jupiter.api.Test;

/** How every way in derives a prompt's ids from what the caller sent ({@link SendPromptCommand#fromCaller}). */
class SendPromptIdsTest {

    @Test
    void aCallersKeyNamesOnePromptAndItsConversationForGood() {
        SendPromptCommand first = SendPromptCommand.fromCaller("u-1", null, "key-1", "hi", null, null, null);
        SendPromptCommand retry = SendPromptCommand.fromCaller("u-1", null, "key-1", "hi", null, null, null);
        assertThat(retry.promptId()).isEqualTo(first.promptId());
        assertThat(retry.conversationId()).isEqualTo(first.conversationId()).isNotEqualTo(first.promptId());
        assertThat(first.startsConversation()).isTrue();
        assertThat(first.maxTokens()).isZero();
        // the same key of another person, or another key, is another prompt
        assertThat(SendPromptCommand.fromCaller("u-2", null, "key-1", "hi", null, null, null).promptId())
                .isNotEqualTo(first.promptId());
        assertThat(SendPromptCommand.fromCaller("u-1", null, "key-2", "hi", null, null, null).promptId())
                .isNotEqualTo(first.promptId());
    }

    @Test
    void withoutAKeyEveryCallIsANewPromptAndAFollowUpKeepsItsConversation() {
        SendPromptCommand a = SendPromptCommand.fromCaller("u-1", "c-1", null, "hi", null, "m", 12);
        SendPromptCommand b = SendPromptCommand.fromCaller("u-1", "c-1", null, "hi", null, "m", 12);
        assertThat(a.promptId()).isNotEqualTo(b.promptId());
        assertThat(a.conversationId()).isEqualTo("c-1");
        assertThat(a.startsConversation()).isFalse();
        assertThat(a.maxTokens()).isEqualTo(12);
    }

    @Test
    void malformedKeysAndIdsAreTypedErrorsBeforeRouting() {
        assertDomainError(catchThrowable(() -> SendPromptCommand.fromCaller("u-1", null, "bad key!", "hi", null, null,
                null)), ErrorCode.VALIDATION_FAILED, "idempotencyKey");
        assertDomainError(catchThrowable(() -> SendPromptCommand.fromCaller("u-1", "../etc", null, "hi", null, null,
                null)), ErrorCode.NOT_FOUND, "conversationId");
        assertDomainError(catchThrowable(() -> SendPromptCommand.fromCaller("u-1", "c-1", null, "hi", "x".repeat(65),
                null, null)), ErrorCode.NOT_FOUND, "parentId");
        assertDomainError(catchThrowable(() -> SendPromptCommand.fromCaller("u-1", null, null, "hi", null, null, 0)),
                ErrorCode.VALIDATION_FAILED, "maxTokens");
    }
}
