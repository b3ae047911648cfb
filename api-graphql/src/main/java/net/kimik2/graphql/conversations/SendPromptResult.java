package net.kimik2.graphql.conversations;

/**
 * The {@code SendPromptResult} union of conversations.graphqls. Each member's Java simple name is its GraphQL type
 * name (Spring for GraphQL's default type resolver).
 */
sealed interface SendPromptResult {

    record PromptAccepted(String promptId, String conversationId, long heldCredits) implements SendPromptResult {
    }

    record InsufficientCredits(long available, long required) implements SendPromptResult {
    }

    record Busy(int retryAfterSeconds) implements SendPromptResult {
    }

    record ValidationFailed(String field, String message) implements SendPromptResult {
    }
}
