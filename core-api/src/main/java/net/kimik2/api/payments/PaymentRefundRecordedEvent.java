package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The highest refunded total seen for a payment's charge (it may arrive before the payment is fulfilled). */
@Revision("1")
public record PaymentRefundRecordedEvent(
        String paymentId,
        long amountRefunded,
        long chargeAmount,
        String currency,
        Instant recordedAt) {
}
