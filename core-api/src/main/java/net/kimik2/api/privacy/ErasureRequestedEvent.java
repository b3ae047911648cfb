package net.kimik2.api.privacy;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Step 1 of an erasure, durable before anything else happens: from here on the person cannot sign in. */
@Revision("1")
public record ErasureRequestedEvent(
        String userId,
        String requestId,
        Instant requestedAt,
        Instant deadline,
        String actorId,
        boolean adminInitiated,
        String legalBasis) {
}
