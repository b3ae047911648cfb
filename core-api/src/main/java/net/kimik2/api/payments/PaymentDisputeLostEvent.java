package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A lost dispute: the disputed share is written off (clawed back from {@code grantId}); {@code holdId} names the hold
 * to release in the same step, or is null when the dispute closed before a hold was ever placed.
 */
@Revision("1")
public record PaymentDisputeLostEvent(
        String paymentId,
        String userId,
        String disputeId,
        String grantId,
        String holdId,
        String clawbackId,
        long credits,
        long amountMinor,
        String currency,
        Instant lostAt) {
}
