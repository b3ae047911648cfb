package net.kimik2.api.conversations;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** A conversation begun by its first prompt; the title is derived from that prompt. */
@Revision("1")
public record ConversationStartedEvent(
        @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        String userId,
        @PersonalData String title,
        Instant startedAt) {

    @Override
    public String toString() {
        return "ConversationStartedEvent[conversationId=" + conversationId + "]";
    }
}
