package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A won dispute: its hold goes back to the balance. */
@Revision("1")
public record PaymentDisputeReleasedEvent(
        String paymentId,
        String userId,
        String disputeId,
        String holdId,
        long credits,
        long amountMinor,
        String currency,
        Instant releasedAt) {
}
