package net.kimik2.api.audit;

import java.time.Instant;

/**
 * How far a replay is: {@code done} of {@code total} events (the head when it started), the rate since it started
 * and the time left at that rate ({@code null} before the first event). {@code finished}: the rebuilt view has
 * replaced the old one; {@code cancelled}: it was dropped and the old one kept.
 */
public record ReplayProgress(long done, long total, double eventsPerSecond, Long etaSeconds, Instant startedAt,
                             boolean finished, boolean cancelled) {

    public double percent() {
        return finished || total <= 0 ? 100.0 : Math.min(100.0, 100.0 * done / total);
    }
}
