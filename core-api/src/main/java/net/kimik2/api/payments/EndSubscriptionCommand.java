package net.kimik2.api.payments;

import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Stripe deleted the subscription (cancelled at period end, or unpaid): the plan ends. */
public record EndSubscriptionCommand(
        @TargetAggregateIdentifier String billingAccountId,
        @DataSubject String userId,
        @PersonalData String subscriptionId) {
}
