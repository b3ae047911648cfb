package net.kimik2.api.payments;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Starts a Stripe Checkout Session for a credit pack ({@link PaymentKind#PACK}) or a plan ({@link PaymentKind#PERIOD});
 * answers a {@link CheckoutOutcome}. {@code requestId} is the idempotency key sent to Stripe with the session.
 */
public record StartCheckoutCommand(
        @TargetAggregateIdentifier String billingAccountId,
        String userId,
        PaymentKind kind,
        String itemId,
        String requestId) {
}
