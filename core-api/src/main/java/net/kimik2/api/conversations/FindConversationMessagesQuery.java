package net.kimik2.api.conversations;

import java.util.List;

/** The messages of several of the user's conversations at once (others' are skipped). Answers {@link ConversationMessages}. */
public record FindConversationMessagesQuery(String userId, List<String> conversationIds) {
}
