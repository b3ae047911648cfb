package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** The person's Stripe customer; its id is personal data (it links to Stripe's records of the person). */
@Revision("1")
public record StripeCustomerCreatedEvent(
        String billingAccountId,
        @DataSubject String userId,
        @PersonalData String customerId,
        Instant createdAt) {
}
