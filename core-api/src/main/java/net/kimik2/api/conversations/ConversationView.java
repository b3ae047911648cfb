package net.kimik2.api.conversations;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/** A conversation and all its messages, oldest first; branches are told apart by {@link MessageView#parentId()}. */
public record ConversationView(
        @DataSubject(scope = "conversation", owner = "userId") String id,
        String userId,
        @PersonalData String title,
        Instant createdAt,
        Instant updatedAt,
        List<MessageView> messages) {
}
