package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A bucket of credits: drawn down by priority, then soonest expiry, then age. */
@Revision("1")
public record CreditsGrantedEvent(
        String ledgerId,
        String userId,
        String grantId,
        long amount,
        GrantType type,
        String source,
        int priority,
        Instant effectiveFrom,
        Instant expiresAt) {
}
