package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Stripe was told to end the plan at the end of its current period. */
@Revision("1")
public record SubscriptionCancelRequestedEvent(
        String billingAccountId,
        String userId,
        String planId,
        Instant requestedAt) {
}
