package net.kimik2.command.payments;

/**
 * The port through which the domain asks Stripe for something (the stripe-java adapter lives in payments-stripe).
 * Every call carries an idempotency key, so a retried command never creates a second customer or session.
 */
public interface StripeGateway {

    /** False when no Stripe key is configured: checkout answers a typed PaymentsUnavailable. */
    boolean enabled();

    String createCustomer(String userId, String idempotencyKey);

    CheckoutSession createCheckoutSession(CheckoutRequest request, String idempotencyKey);

    void cancelAtPeriodEnd(String subscriptionId, String idempotencyKey);

    void deleteCustomer(String customerId, String idempotencyKey);

    /** A Checkout Session to create: the item and its terms stamped in the metadata as they are now. */
    record CheckoutRequest(String customerId, String userId, boolean subscription, String itemId, long credits,
                           long priceCents, String currency, String stripePriceId, String interval,
                           String catalogueVersion) {
    }

    record CheckoutSession(String id, String url) {
    }

    /** Metadata keys set on sessions, payment intents and subscriptions (the webhook processor reads them back). */
    final class Metadata {
        public static final String USER_ID = "kimi_user_id";
        public static final String ITEM_ID = "kimi_item_id";
        public static final String KIND = "kimi_kind";
        public static final String CREDITS = "kimi_credits";
        public static final String CATALOGUE_VERSION = "kimi_catalogue_version";

        private Metadata() {
        }
    }
}
