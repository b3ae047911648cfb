package net.kimik2.api.conversations;

/** A model and its current price in credits per million tokens (1 credit = 1 micro-dollar). */
public record ModelView(
        String id,
        int contextLength,
        long inputCacheHitPerMillion,
        long inputCacheMissPerMillion,
        long outputPerMillion,
        String priceVersion) {
}
