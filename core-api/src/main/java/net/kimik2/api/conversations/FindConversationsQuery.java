package net.kimik2.api.conversations;

import net.kimik2.api.platform.PageRequest;

/** The user's conversations, most recently active first. Answers a {@link ConversationPage}. */
public record FindConversationsQuery(String userId, PageRequest page) {
}
