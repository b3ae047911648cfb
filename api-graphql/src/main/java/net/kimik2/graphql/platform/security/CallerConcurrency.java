package net.kimik2.graphql.platform.security;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How many expensive mutations (prompts) one caller may have in flight through this node. Checked before the command
 * bus, so a burst's surplus is told {@code Busy} without opening a transaction or taking a pool connection; the
 * domain keeps its own, larger bound for every other way in (issue 11).
 */
@Component
public class CallerConcurrency {

    private final int limit;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    CallerConcurrency(@Value("${kimi.api.max-concurrent-prompts-per-caller:4}") int limit) {
        this.limit = Math.max(1, limit);
    }

    /** Runs {@code work} if the caller has room, else answers empty (the caller answers Busy). */
    public <T> Optional<T> withinLimit(String callerId, Supplier<T> work) {
        boolean[] admitted = {false};
        inFlight.compute(callerId, (id, n) -> {
            int now = n == null ? 0 : n;
            admitted[0] = now < limit;
            return admitted[0] ? now + 1 : now;
        });
        if (!admitted[0]) {
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            inFlight.computeIfPresent(callerId, (id, n) -> n <= 1 ? null : n - 1);
        }
    }
}
