package net.kimik2.api.payments;

/** What a Stripe payment bought: a credit pack (one-off) or a subscription period. */
public enum PaymentKind {
    PACK,
    PERIOD
}
