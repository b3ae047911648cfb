package net.kimik2.api.conversations;

/**
 * The live stream of a prompt's answer, for its owner only. As a subscription query it answers a
 * {@link PromptStreamSnapshot} (every chunk so far, so late joiners start from the first delta) and then emits
 * each further {@link PromptChunkView}.
 */
public record StreamPromptQuery(String promptId, String userId) {
}
