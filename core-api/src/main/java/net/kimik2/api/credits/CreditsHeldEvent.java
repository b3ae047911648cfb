package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Credits reserved for a payment in progress; they are not available until captured or released. */
@Revision("1")
public record CreditsHeldEvent(
        String ledgerId,
        String userId,
        String holdId,
        long amount,
        String purposeId,
        Instant heldAt,
        Instant expiresAt) {
}
