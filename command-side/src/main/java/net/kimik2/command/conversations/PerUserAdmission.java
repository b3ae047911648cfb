package net.kimik2.command.conversations;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;

/**
 * Bounds how many prompts of one person are being accepted at once, before any aggregate lock is taken. Commands of
 * one person serialize on their credit ledger; without a bound a burst of hundreds queued there, holding request
 * threads and pool connections that everyone else needs (issue 11). Past the bound the caller is told {@code Busy}
 * at once, with a retry hint, and nothing is held.
 */
final class PerUserAdmission {

    private final int limit;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    PerUserAdmission(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the per-user limit must be at least 1");
        }
        this.limit = limit;
    }

    /** Admits one more of this person's commands, or refuses with {@code BUSY}; pair with {@link #leave}. */
    void enter(String userId) {
        boolean[] admitted = {false};
        inFlight.compute(userId, (id, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return now;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            throw new DomainException(new DomainError(ErrorCode.BUSY, null,
                    "too many of your prompts are being accepted at once, try again shortly",
                    Map.of("retryAfterSeconds", 1L)));
        }
    }

    void leave(String userId) {
        // the entry goes when it reaches zero, so the map holds only people with prompts in flight
        inFlight.computeIfPresent(userId, (id, n) -> n <= 1 ? null : n - 1);
    }

    int inFlight(String userId) {
        return inFlight.getOrDefault(userId, 0);
    }
}
