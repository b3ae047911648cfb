package net.kimik2.api.payments;

/** What starting a checkout answered: a Stripe Checkout Session to redirect to, or payments are not configured. */
public sealed interface CheckoutOutcome permits CheckoutOutcome.SessionCreated, CheckoutOutcome.Unavailable {

    record SessionCreated(String checkoutUrl, String sessionId) implements CheckoutOutcome {
    }

    /** No Stripe key is configured on this service. */
    record Unavailable() implements CheckoutOutcome {
    }
}
