package net.kimik2.api.payments;

import java.time.Instant;

/** A payment the service granted credits for: its aggregate id names the Stripe PaymentIntent (or invoice). */
public record FulfilledPaymentView(String paymentId, String kind, long amountCents, long credits, Instant fulfilledAt) {
}
