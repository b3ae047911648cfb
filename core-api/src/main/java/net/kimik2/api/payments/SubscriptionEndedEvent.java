package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** A subscription ended; {@code planId} is null when it ended before its start was seen (events out of order). */
@Revision("1")
public record SubscriptionEndedEvent(
        String billingAccountId,
        @DataSubject String userId,
        @PersonalData String subscriptionId,
        String planId,
        Instant endedAt) {
}
