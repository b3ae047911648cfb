package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A dispute's state as last seen (it may arrive before the payment is fulfilled). */
@Revision("1")
public record PaymentDisputeRecordedEvent(
        String paymentId,
        String disputeId,
        long amount,
        DisputeStatus status,
        Instant recordedAt) {
}
