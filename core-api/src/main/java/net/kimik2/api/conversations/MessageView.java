package net.kimik2.api.conversations;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/**
 * One message: {@code role} is user or assistant; {@code usage} and {@code servedBy} (the model that actually answered,
 * {@code offline:<id>} for the offline model) only on answers. An answer that failed (the model failed, or the
 * service died mid-answer and the prompt expired) is an assistant message with empty content, no usage and its
 * {@code failureCode}.
 */
public record MessageView(
        String id,
        @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        String userId,
        String parentId,
        String role,
        @PersonalData String content,
        String model,
        String servedBy,
        Instant createdAt,
        TokenUsage usage,
        PromptFailureCode failureCode) {
}
