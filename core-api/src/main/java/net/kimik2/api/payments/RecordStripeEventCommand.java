package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The webhook inbox: a verified Stripe event, recorded once per event id before the endpoint answers 2xx. Only ids
 * and the type are kept (no personal data); processing re-reads the current objects from Stripe.
 */
public record RecordStripeEventCommand(
        @TargetAggregateIdentifier String inboxId,
        String eventId,
        String type,
        String objectId,
        Instant created) {
}
