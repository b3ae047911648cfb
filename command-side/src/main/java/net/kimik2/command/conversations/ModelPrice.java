package net.kimik2.command.conversations;

import java.time.Instant;
import java.util.Objects;

/**
 * One model's price, in credits per million tokens (1 credit = 1 micro-dollar, so $0.60 per 1M tokens = 600000).
 *
 * @param modelId                    the provider's model id
 * @param contextLength              the model's context window in tokens
 * @param inputCacheHitPerMillion    credits per 1M prompt tokens served from the provider's context cache
 * @param inputCacheMissPerMillion   credits per 1M other prompt tokens
 * @param outputPerMillion           credits per 1M completion tokens
 * @param priceVersion               the price table version recorded with every charge, e.g. {@code 2026-01}
 * @param effectiveFrom              when this price starts to apply
 */
public record ModelPrice(String modelId, int contextLength, long inputCacheHitPerMillion,
                         long inputCacheMissPerMillion, long outputPerMillion, String priceVersion,
                         Instant effectiveFrom) {

    public ModelPrice {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(priceVersion, "priceVersion");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        if (modelId.isBlank()) {
            throw new IllegalArgumentException("modelId must not be blank");
        }
        if (priceVersion.isBlank()) {
            throw new IllegalArgumentException("priceVersion must not be blank for " + modelId);
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be positive for " + modelId);
        }
        if (inputCacheHitPerMillion < 0 || inputCacheMissPerMillion < 0 || outputPerMillion < 0) {
            throw new IllegalArgumentException("prices must not be negative for " + modelId);
        }
    }
}
