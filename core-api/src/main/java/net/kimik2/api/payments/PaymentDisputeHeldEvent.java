package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** An open dispute: the ledger holds the disputed share {@code credits} under {@code holdId}. */
@Revision("1")
public record PaymentDisputeHeldEvent(
        String paymentId,
        String userId,
        String disputeId,
        String grantId,
        String holdId,
        long credits,
        long amountMinor,
        String currency,
        Instant heldAt) {
}
