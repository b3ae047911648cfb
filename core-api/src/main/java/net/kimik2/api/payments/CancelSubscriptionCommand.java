package net.kimik2.api.payments;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Ends the caller's plan at the end of its current period; answers whether there was a plan to cancel. */
public record CancelSubscriptionCommand(@TargetAggregateIdentifier String billingAccountId) {
}
