package net.kimik2.api.conversations;

/**
 * What an answer consumed and cost. {@code promptTokens} includes {@code cachedTokens}; {@code estimated} is true
 * only when the provider never reported usage and the counts are a local estimate.
 */
public record TokenUsage(
        int promptTokens,
        int cachedTokens,
        int completionTokens,
        long costCredits,
        String priceVersion,
        boolean estimated) {
}
