package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Held credits returned to the balance; {@code amount} is what the open hold still reserved. */
@Revision("1")
public record CreditsReleasedEvent(
        String ledgerId,
        String userId,
        String holdId,
        long amount,
        ReleaseCode code,
        Instant releasedAt) {
}
