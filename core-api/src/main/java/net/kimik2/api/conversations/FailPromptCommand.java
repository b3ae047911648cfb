package net.kimik2.api.conversations;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Marks a prompt failed and releases its whole hold. Idempotent; ignored once the prompt was answered. */
public record FailPromptCommand(
        @TargetAggregateIdentifier String conversationId,
        String userId,
        String promptId,
        PromptFailureCode failureCode) {
}
