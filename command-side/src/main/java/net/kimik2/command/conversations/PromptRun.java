package net.kimik2.command.conversations;

import java.util.List;

/**
 * An accepted prompt as the model runtime needs it: the price it was held at, the completion limit left by the
 * context, and the branch the prompt continues (oldest first, ending with the prompt). Never printed with its
 * context (personal data).
 */
public record PromptRun(String promptId, String conversationId, String userId, ModelPrice price, int maxTokens,
                        List<ChatMessage> context) {

    public PromptRun {
        context = List.copyOf(context);
    }

    @Override
    public String toString() {
        return "PromptRun[promptId=" + promptId + ", model=" + price.modelId() + "]";
    }
}
