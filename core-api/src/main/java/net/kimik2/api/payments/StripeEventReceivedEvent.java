package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A verified Stripe event in the inbox; the payments processor handles it asynchronously. */
@Revision("1")
public record StripeEventReceivedEvent(
        String inboxId,
        String eventId,
        String type,
        String objectId,
        Instant created,
        Instant receivedAt) {
}
