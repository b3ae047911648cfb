package net.kimik2.api.conversations;

import java.util.List;

/** Messages of several conversations, each conversation's oldest first. */
public record ConversationMessages(List<MessageView> messages) {
}
