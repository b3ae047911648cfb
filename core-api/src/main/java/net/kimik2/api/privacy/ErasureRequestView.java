package net.kimik2.api.privacy;

import java.time.Instant;

/** One erasure request as admins and the requester see it; {@code deadline} is the 30-day legal limit. */
public record ErasureRequestView(
        String id,
        String userId,
        String status,
        Instant requestedAt,
        Instant deadline,
        Instant completedAt,
        boolean adminInitiated,
        String actorId,
        String cursor) {
}
