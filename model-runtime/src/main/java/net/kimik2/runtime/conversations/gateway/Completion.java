package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.Usage;

import java.util.Objects;

/**
 * The final result of a successful call.
 *
 * @param text          the whole answer (also what was streamed to the listener)
 * @param usage         the provider's usage report when {@code usageReported}, otherwise a local estimate
 * @param usageReported true when {@code usage} comes from the provider; false means "estimated", to be reconciled
 * @param finishReason  the provider's finish reason ({@code stop}, {@code length}, ...), or null if none was sent
 * @param modelId       the model that answered as the provider named it ({@code offline:...} for the offline model)
 */
public record Completion(String text, Usage usage, boolean usageReported, String finishReason, String modelId) {

    public Completion {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(modelId, "modelId");
    }

    /** Never prints the text: it is personal data. */
    @Override
    public String toString() {
        return "Completion[chars=" + text.length() + ", usage=" + usage + ", usageReported=" + usageReported
                + ", finishReason=" + finishReason + ", modelId=" + modelId + "]";
    }
}
