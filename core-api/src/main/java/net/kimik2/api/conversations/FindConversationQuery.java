package net.kimik2.api.conversations;

/** One conversation with its messages, only if {@code userId} owns it. Answers an optional {@link ConversationView}. */
public record FindConversationQuery(String conversationId, String userId) {
}
