package net.kimik2.api.conversations;

/**
 * The stored answer of one of the user's prompts as a single final chunk, for a stream that is no longer in memory
 * (finished long ago, or served before a restart). Answers an optional {@link PromptChunkView}.
 */
public record FindPromptAnswerQuery(String promptId, String userId) {
}
