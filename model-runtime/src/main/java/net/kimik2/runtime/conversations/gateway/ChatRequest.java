package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;

import java.util.List;
import java.util.Objects;

/**
 * A chat completion request.
 *
 * @param model     the provider's model id, e.g. {@code kimi-k2-0905-preview}
 * @param messages  the conversation, oldest first
 * @param maxTokens the most completion tokens the model may produce (also what the credit hold was sized for)
 * @param requestId our id for this call, logged and used to correlate; never personal data
 */
public record ChatRequest(String model, List<ChatMessage> messages, int maxTokens, String requestId) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestId, "requestId");
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
        }
    }

    /** Never prints the messages: they are personal data. */
    @Override
    public String toString() {
        return "ChatRequest[model=" + model + ", messages=" + messages.size() + ", maxTokens=" + maxTokens
                + ", requestId=" + requestId + "]";
    }
}
