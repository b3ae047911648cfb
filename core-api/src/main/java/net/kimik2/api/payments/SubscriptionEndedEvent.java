package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record SubscriptionEndedEvent(
        String billingAccountId,
        String userId,
        String planId,
        Instant endedAt) {
}
