package net.kimik2.graphql.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Throttles {@code login} per account (the normalised username or email, kept only as a SHA-256 digest) and per
 * client IP. Every attempt counts as a failure when it starts (so that concurrent guesses cannot slip past the count)
 * and is taken back when it succeeds. After {@code free-failures} failures each further one makes the next attempt
 * wait, twice as long each time ({@code base-delay}, up to {@code max-delay}); after {@code lock-after} failures the
 * key is locked for {@code lock-duration}. A waiting or locked key is refused before the password is looked at, so a
 * correct password does not get through either: the refusal is RATE_LIMITED with {@code retryAfterSeconds}. Counts
 * are forgotten {@code window} after the last failure; at most {@code max-tracked} keys are kept (bounded memory
 * under a flood of distinct names). State is in memory, per instance (ADR 0012).
 */
@Component
public class LoginThrottle {

    /** The limits of one kind of key. */
    public record Limits(int freeFailures, Duration baseDelay, Duration maxDelay, int lockAfter, Duration lockDuration) {

        Duration delayAfter(int failures) {
            if (failures >= lockAfter) {
                return lockDuration;
            }
            if (failures <= freeFailures) {
                return Duration.ZERO;
            }
            int doublings = Math.min(30, failures - freeFailures - 1);
            Duration delay = baseDelay.multipliedBy(1L << doublings);
            return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
        }
    }

    /** {@code previous} is the counter before the last failure, so that an attempt can be taken back exactly. */
    private record Counter(int failures, Instant blockedUntil, Counter previous) {
    }

    private final Limits accountLimits;
    private final Limits ipLimits;
    private final Clock clock;
    private final Cache<String, Counter> counters;

    @Autowired
    LoginThrottle(@Value("${kimi.security.login.account.free-failures:5}") int accountFree,
                  @Value("${kimi.security.login.account.lock-after:10}") int accountLockAfter,
                  @Value("${kimi.security.login.ip.free-failures:20}") int ipFree,
                  @Value("${kimi.security.login.ip.lock-after:100}") int ipLockAfter,
                  @Value("${kimi.security.login.base-delay:1s}") Duration baseDelay,
                  @Value("${kimi.security.login.max-delay:5m}") Duration maxDelay,
                  @Value("${kimi.security.login.lock-duration:15m}") Duration lockDuration,
                  @Value("${kimi.security.login.window:15m}") Duration window,
                  @Value("${kimi.security.login.max-tracked:100000}") long maxTracked) {
        this(new Limits(accountFree, baseDelay, maxDelay, accountLockAfter, lockDuration),
                new Limits(ipFree, baseDelay, maxDelay, ipLockAfter, lockDuration), window, maxTracked,
                Clock.systemUTC());
    }

    public LoginThrottle(Limits accountLimits, Limits ipLimits, Duration window, long maxTracked, Clock clock) {
        this.accountLimits = accountLimits;
        this.ipLimits = ipLimits;
        this.clock = clock;
        Duration keep = window.compareTo(accountLimits.lockDuration()) > 0 ? window : accountLimits.lockDuration();
        this.counters = Caffeine.newBuilder().maximumSize(maxTracked).expireAfterWrite(keep)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /** One login attempt, counted as failed until {@link #succeeded()} or {@link #abandoned()} says otherwise. */
    public final class Attempt {

        private final String accountKey;
        private final String ipKey;

        private Attempt(String accountKey, String ipKey) {
            this.accountKey = accountKey;
            this.ipKey = ipKey;
        }

        /** The password was right: the account's count starts over; the IP gets this attempt back. */
        public void succeeded() {
            counters.invalidate(accountKey);
            if (ipKey != null) {
                takeBack(ipKey);
            }
        }

        /** Nothing was decided (the service was busy, an unexpected failure): the attempt is not held against anyone. */
        public void abandoned() {
            takeBack(accountKey);
            if (ipKey != null) {
                takeBack(ipKey);
            }
        }
    }

    /**
     * Starts an attempt for {@code usernameOrEmail} from {@code clientIp} (null when unknown), or refuses it with
     * RATE_LIMITED when either key must wait.
     */
    public Attempt begin(String usernameOrEmail, String clientIp) {
        Instant now = clock.instant();
        String accountKey = "a:" + digest(normalise(usernameOrEmail));
        String ipKey = clientIp == null || clientIp.isBlank() ? null : "i:" + clientIp;
        long waitSeconds = Math.max(secondsBlocked(accountKey, now), ipKey == null ? 0 : secondsBlocked(ipKey, now));
        if (waitSeconds > 0) {
            throw rateLimited(waitSeconds);
        }
        // count both before the password is checked; a concurrent attempt that got in first may have blocked a key
        long accountWait = countFailure(accountKey, accountLimits, now);
        long ipWait = ipKey == null ? 0 : countFailure(ipKey, ipLimits, now);
        if (accountWait < 0 || ipWait < 0) {
            if (accountWait >= 0) {
                takeBack(accountKey);
            }
            if (ipKey != null && ipWait >= 0) {
                takeBack(ipKey);
            }
            throw rateLimited(Math.max(-accountWait, -ipWait));
        }
        return new Attempt(accountKey, ipKey);
    }

    private long secondsBlocked(String key, Instant now) {
        Counter counter = counters.getIfPresent(key);
        if (counter == null || counter.blockedUntil() == null || !counter.blockedUntil().isAfter(now)) {
            return 0;
        }
        return ceilSeconds(Duration.between(now, counter.blockedUntil()));
    }

    /** Counts one failure; a negative result is the seconds to wait when the key was blocked meanwhile. */
    private long countFailure(String key, Limits limits, Instant now) {
        long[] refused = {0};
        counters.asMap().compute(key, (k, counter) -> {
            if (counter != null && counter.blockedUntil() != null && counter.blockedUntil().isAfter(now)) {
                refused[0] = -ceilSeconds(Duration.between(now, counter.blockedUntil()));
                return counter;
            }
            int failures = counter == null ? 1 : counter.failures() + 1;
            Duration delay = limits.delayAfter(failures);
            Counter previous = counter == null ? null : new Counter(counter.failures(), counter.blockedUntil(), null);
            return new Counter(failures, delay.isZero() ? null : now.plus(delay), previous);
        });
        return refused[0];
    }

    private void takeBack(String key) {
        counters.asMap().computeIfPresent(key, (k, counter) -> {
            if (counter.previous() != null) {
                return counter.previous();
            }
            int failures = counter.failures() - 1;
            return failures <= 0 ? null : new Counter(failures, counter.blockedUntil(), null);
        });
    }

    private static long ceilSeconds(Duration duration) {
        long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private static DomainException rateLimited(long retryAfterSeconds) {
        return new DomainException(new DomainError(ErrorCode.RATE_LIMITED, null,
                "too many login attempts; try again later", Map.of("retryAfterSeconds", retryAfterSeconds)));
    }

    private static String normalise(String usernameOrEmail) {
        return usernameOrEmail == null ? "" : usernameOrEmail.trim().toLowerCase(Locale.ROOT);
    }

    private static String digest(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
