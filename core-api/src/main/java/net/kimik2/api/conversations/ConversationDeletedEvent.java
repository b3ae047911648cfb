package net.kimik2.api.conversations;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The user deleted the conversation; its key is shredded, so its content is unreadable from here on. */
@Revision("1")
public record ConversationDeletedEvent(String conversationId, String userId, Instant deletedAt) {
}
