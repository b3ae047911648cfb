package net.kimik2.api.conversations;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Deletes one of the user's conversations: its key is shredded and its view dropped. Answers false when missing. */
public record DeleteConversationCommand(@TargetAggregateIdentifier String conversationId, String userId) {
}
