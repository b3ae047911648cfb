package net.kimik2.api.payments;

import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A subscription Checkout Session completed: the person's plan is active. */
public record RecordSubscriptionCommand(
        @TargetAggregateIdentifier String billingAccountId,
        @DataSubject String userId,
        @PersonalData String subscriptionId,
        @PersonalData String customerId,
        String planId) {
}
