package net.kimik2.api.conversations;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A prompt that got no answer; its hold was released. */
@Revision("1")
public record PromptFailedEvent(
        String conversationId,
        String userId,
        String promptId,
        PromptFailureCode failureCode,
        Instant failedAt) {
}
