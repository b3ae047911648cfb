package net.kimik2.command.conversations;

/**
 * Token usage of one call. {@code promptTokens} includes {@code cachedTokens} (the provider's convention).
 */
public record Usage(int promptTokens, int cachedTokens, int completionTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0);

    public Usage {
        if (promptTokens < 0 || cachedTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative: prompt=" + promptTokens
                    + " cached=" + cachedTokens + " completion=" + completionTokens);
        }
        if (cachedTokens > promptTokens) {
            throw new IllegalArgumentException("cached tokens exceed prompt tokens: cached=" + cachedTokens
                    + " prompt=" + promptTokens);
        }
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
