package net.kimik2.api.conversations;

/** A prompt accepted for answering, with the credits held for it. */
public record PromptAcceptance(String promptId, String conversationId, long heldCredits) {
}
