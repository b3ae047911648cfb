package net.kimik2.graphql.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Limits in layers, from configuration (ADR 0019): per person and per API key, requests per minute, tokens per
 * minute and prompts at once; all of them in front of the shared provider queue, which stays the last bound.
 * Request rates take a permit per prompt; token rates are charged with what an answer actually used, and a caller
 * whose token budget for the minute is spent is refused until it refills. Windows are resilience4j rate limiters
 * (fixed one-minute refresh), kept per caller in a bounded cache; they are per node.
 */
@Component
public class ApiLimits {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    /** A refusal: which limit, and when to come back. */
    public record Refusal(String limit, long retryAfterSeconds) {
    }

    private final int personRequests;
    private final int personTokens;
    private final int keyRequests;
    private final int keyTokens;
    private final CallerConcurrency keyConcurrency;
    private final Cache<String, RateLimiter> limiters;

    ApiLimits(@Value("${kimi.limits.person.requests-per-minute:600}") int personRequests,
              @Value("${kimi.limits.person.tokens-per-minute:2000000}") int personTokens,
              @Value("${kimi.limits.key.requests-per-minute:300}") int keyRequests,
              @Value("${kimi.limits.key.tokens-per-minute:1000000}") int keyTokens,
              @Value("${kimi.limits.key.max-concurrent-prompts:4}") int keyConcurrent,
              @Value("${kimi.limits.max-tracked:100000}") long maxTracked) {
        this.personRequests = Math.max(1, personRequests);
        this.personTokens = Math.max(1, personTokens);
        this.keyRequests = Math.max(1, keyRequests);
        this.keyTokens = Math.max(1, keyTokens);
        this.keyConcurrency = new CallerConcurrency(keyConcurrent);
        // an idle caller's windows are full again after a minute: forgetting them then loses nothing
        this.limiters = Caffeine.newBuilder().maximumSize(Math.max(100, maxTracked))
                .expireAfterAccess(WINDOW.multipliedBy(2)).build();
    }

    /**
     * Takes a request permit of the person and, when {@code keyId} is given, of the key; refuses when either rate is
     * exhausted or either token budget for the minute is spent.
     */
    public Optional<Refusal> admit(String userId, String keyId) {
        Optional<Refusal> tokens = spent("tokens", limiter("pt:" + userId, personTokens));
        if (keyId != null && tokens.isEmpty()) {
            tokens = spent("tokens", limiter("kt:" + keyId, keyTokens));
        }
        if (tokens.isPresent()) {
            return tokens;
        }
        Optional<Refusal> refused = take(limiter("pr:" + userId, personRequests));
        if (refused.isEmpty() && keyId != null) {
            refused = take(limiter("kr:" + keyId, keyRequests));
        }
        return refused;
    }

    /** Charges what an answer used to the person's and the key's token windows. */
    public void recordTokens(String userId, String keyId, long tokens) {
        charge(limiter("pt:" + userId, personTokens), tokens);
        if (keyId != null) {
            charge(limiter("kt:" + keyId, keyTokens), tokens);
        }
    }

    /** Runs {@code work} if the key has a free prompt slot, else answers empty. */
    public <T> Optional<T> withinKeyConcurrency(String keyId, Supplier<T> work) {
        return keyConcurrency.withinLimit(keyId, work);
    }

    /** OpenAI's {@code x-ratelimit-*} headers for the key's (or else the person's) windows. */
    public Map<String, String> headers(String userId, String keyId) {
        RateLimiter requests = keyId != null ? limiter("kr:" + keyId, keyRequests) : limiter("pr:" + userId, personRequests);
        RateLimiter tokens = keyId != null ? limiter("kt:" + keyId, keyTokens) : limiter("pt:" + userId, personTokens);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-ratelimit-limit-requests", String.valueOf(requests.getRateLimiterConfig().getLimitForPeriod()));
        headers.put("x-ratelimit-remaining-requests", String.valueOf(Math.max(0, requests.getMetrics().getAvailablePermissions())));
        headers.put("x-ratelimit-reset-requests", resetSeconds(requests) + "s");
        headers.put("x-ratelimit-limit-tokens", String.valueOf(tokens.getRateLimiterConfig().getLimitForPeriod()));
        headers.put("x-ratelimit-remaining-tokens", String.valueOf(Math.max(0, tokens.getMetrics().getAvailablePermissions())));
        headers.put("x-ratelimit-reset-tokens", resetSeconds(tokens) + "s");
        return headers;
    }

    private RateLimiter limiter(String name, int perMinute) {
        return limiters.get(name, n -> RateLimiter.of(n, RateLimiterConfig.custom()
                .limitForPeriod(perMinute).limitRefreshPeriod(WINDOW).timeoutDuration(Duration.ZERO).build()));
    }

    private static Optional<Refusal> take(RateLimiter limiter) {
        return limiter.acquirePermission() ? Optional.empty()
                : Optional.of(new Refusal("requests", resetSeconds(limiter)));
    }

    private static Optional<Refusal> spent(String what, RateLimiter limiter) {
        return limiter.getMetrics().getAvailablePermissions() > 0 ? Optional.empty()
                : Optional.of(new Refusal(what, resetSeconds(limiter)));
    }

    private static void charge(RateLimiter limiter, long tokens) {
        int permits = (int) Math.min(tokens, limiter.getRateLimiterConfig().getLimitForPeriod());
        if (permits > 0 && !limiter.acquirePermission(permits)) {
            limiter.drainPermissions(); // used more than was left: nothing is left this minute
        }
    }

    /** Whole seconds until the limiter's window refills (at least 1). */
    private static long resetSeconds(RateLimiter limiter) {
        long nanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait() : WINDOW.toNanos();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
