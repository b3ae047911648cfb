package net.kimik2.api.payments;

/**
 * Aggregate ids of the payments capability. A payment is keyed by its Stripe PaymentIntent, the one id that a
 * Checkout Session, an invoice payment, a charge and a dispute all name; a billing account by the user.
 */
public final class PaymentIds {

    private PaymentIds() {
    }

    public static String payment(String paymentIntentId) {
        return "payment-" + paymentIntentId;
    }

    public static String billingAccount(String userId) {
        return "billing-" + userId;
    }

    public static String stripeEvent(String eventId) {
        return "stripe-event-" + eventId;
    }
}
