package net.kimik2.api.conversations;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/** A conversation in a list, without its messages; {@code cursor} continues the list after it. */
public record ConversationSummaryView(
        @DataSubject(scope = "conversation", owner = "userId") String id,
        String userId,
        @PersonalData String title,
        Instant createdAt,
        Instant updatedAt,
        String cursor) {
}
