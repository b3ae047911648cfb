package net.kimik2.api.conversations;

import net.kimik2.api.platform.DataSubject;
import net.kimik2.api.platform.PersonalData;

/**
 * Sends a prompt: holds its maximum cost, records it in the conversation and starts the model call. Answers a
 * {@link PromptAcceptance}. {@code promptId} is the idempotency key (derived from the caller's key when one was
 * given): sending it again answers the first acceptance and charges nothing. A new conversation is started when
 * {@code startsConversation}; otherwise {@code conversationId} must name one of the user's conversations.
 * {@code parentId} (optional) is the message the prompt answers, for edit and regenerate branches.
 */
public record SendPromptCommand(
        String promptId,
        @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        boolean startsConversation,
        String userId,
        @PersonalData String content,
        String parentId,
        String model,
        int maxTokens) {

    @Override
    public String toString() {
        return "SendPromptCommand[promptId=" + promptId + ", conversationId=" + conversationId + ", model=" + model + "]";
    }
}
