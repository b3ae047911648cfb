package net.kimik2.api.conversations;

import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Records a prompt's answer and charges its actual cost (capturing the hold, releasing the rest). Idempotent. */
public record CompletePromptCommand(
        @TargetAggregateIdentifier @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        String userId,
        String promptId,
        @PersonalData String answer,
        String servedBy,
        String finishReason,
        TokenUsage usage) {

    @Override
    public String toString() {
        return "CompletePromptCommand[promptId=" + promptId + ", conversationId=" + conversationId + "]";
    }
}
