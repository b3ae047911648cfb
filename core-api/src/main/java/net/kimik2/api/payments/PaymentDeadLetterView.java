package net.kimik2.api.payments;

import java.time.Instant;

/** A Stripe event whose processing failed and waits in the dead-letter queue (no personal data: ids and a cause). */
public record PaymentDeadLetterView(String eventId, String type, String objectId, String cause, int retries,
                                    Instant enqueuedAt, Instant lastTriedAt) {
}
