package net.kimik2.api.conversations;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** The assistant's answer to a prompt, with what it consumed and cost. Its parent is the prompt's user message. */
@Revision("1")
public record AnswerRecordedEvent(
        @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        String userId,
        String promptId,
        String messageId,
        String parentId,
        @PersonalData String content,
        String model,
        String servedBy,
        String finishReason,
        TokenUsage usage,
        Instant answeredAt) {

    @Override
    public String toString() {
        return "AnswerRecordedEvent[promptId=" + promptId + ", conversationId=" + conversationId + "]";
    }
}
