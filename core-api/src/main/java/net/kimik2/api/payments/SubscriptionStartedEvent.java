package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

@Revision("1")
public record SubscriptionStartedEvent(
        String billingAccountId,
        @DataSubject String userId,
        @PersonalData String subscriptionId,
        String planId,
        Instant startedAt) {
}
