package net.kimik2.api.conversations;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/**
 * One message: {@code role} is user or assistant; {@code usage} and {@code servedBy} (the model that actually answered,
 * {@code offline:<id>} for the offline model) only on answers.
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
        TokenUsage usage) {
}
