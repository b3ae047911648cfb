package net.kimik2.command.conversations;

import java.util.Objects;

/**
 * Credit arithmetic for model calls, exact in {@code long} (no floating point anywhere): every product is
 * checked for overflow and each total is rounded up to the next whole credit once, at the end.
 */
public final class Pricing {

    private static final long PER_MILLION = 1_000_000L;

    private Pricing() {
    }

    /**
     * The cost of a call: ceil(((prompt - cached) x miss + cached x hit + completion x output) / 1,000,000).
     * Cached tokens above the prompt tokens are capped at the prompt tokens.
     */
    public static long cost(Usage usage, ModelPrice price) {
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(price, "price");
        long cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        long missed = usage.promptTokens() - cached;
        long microTotal = Math.addExact(
                Math.addExact(Math.multiplyExact(missed, price.inputCacheMissPerMillion()),
                        Math.multiplyExact(cached, price.inputCacheHitPerMillion())),
                Math.multiplyExact((long) usage.completionTokens(), price.outputPerMillion()));
        return ceilDiv(microTotal, PER_MILLION);
    }

    /**
     * The most a call can cost, the amount to hold: the estimated prompt tokens at the cache-miss price plus
     * {@code maxTokens} (capped by the model's context length) at the output price, rounded up.
     */
    public static long maxCost(int estimatedPromptTokens, int maxTokens, ModelPrice price) {
        Objects.requireNonNull(price, "price");
        if (estimatedPromptTokens < 0 || maxTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative: prompt=" + estimatedPromptTokens
                    + " maxTokens=" + maxTokens);
        }
        long completion = Math.min(maxTokens, price.contextLength());
        long microTotal = Math.addExact(
                Math.multiplyExact((long) estimatedPromptTokens, price.inputCacheMissPerMillion()),
                Math.multiplyExact(completion, price.outputPerMillion()));
        return ceilDiv(microTotal, PER_MILLION);
    }

    private static long ceilDiv(long dividend, long divisor) {
        // both non-negative here
        return dividend / divisor + (dividend % divisor == 0 ? 0 : 1);
    }
}
