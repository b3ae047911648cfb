package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The refunded share of a fulfilled payment: the ledger takes {@code credits} back from {@code grantId}. */
@Revision("1")
public record PaymentClawedBackEvent(
        String paymentId,
        String userId,
        String grantId,
        String clawbackId,
        long credits,
        long amountMinor,
        String currency,
        Instant clawedBackAt) {
}
