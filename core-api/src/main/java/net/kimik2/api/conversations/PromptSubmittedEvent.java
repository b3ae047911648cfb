package net.kimik2.api.conversations;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/**
 * The user's message, accepted with credits held for its answer. {@code messageId} is the user message,
 * {@code parentId} the message it follows (null at the root).
 */
@Revision("1")
public record PromptSubmittedEvent(
        @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        String userId,
        String promptId,
        String messageId,
        String parentId,
        @PersonalData String content,
        String model,
        int maxTokens,
        long heldCredits,
        Instant submittedAt) {

    @Override
    public String toString() {
        return "PromptSubmittedEvent[promptId=" + promptId + ", conversationId=" + conversationId + "]";
    }
}
