package net.kimik2.api.payments;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Erasure: deletes the person's Stripe customer through Stripe's API (which also cancels their subscriptions), before
 * their key is destroyed and the stored customer id becomes unreadable. Idempotent; a person without a billing
 * account has nothing to erase (AggregateNotFoundException).
 */
public record EraseStripeCustomerCommand(@TargetAggregateIdentifier String billingAccountId) {
}
