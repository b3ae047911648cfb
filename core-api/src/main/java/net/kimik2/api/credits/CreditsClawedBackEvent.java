package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Credits taken back from a grant: {@code amount} = {@code fromBucket} + {@code debtIncurred}. */
@Revision("1")
public record CreditsClawedBackEvent(
        String ledgerId,
        String userId,
        String clawbackId,
        String grantId,
        long amount,
        long fromBucket,
        long debtIncurred,
        Instant clawedBackAt) {
}
