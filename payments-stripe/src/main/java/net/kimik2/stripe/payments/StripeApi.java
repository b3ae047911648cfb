package net.kimik2.stripe.payments;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Charge;
import com.stripe.model.Customer;
import com.stripe.model.Dispute;
import com.stripe.model.Invoice;
import com.stripe.model.Subscription;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.ChargeRetrieveParams;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.DisputeRetrieveParams;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionRetrieveParams;
import java.util.Map;
import net.kimik2.command.payments.StripeGateway;
import org.springframework.stereotype.Component;

/**
 * stripe-java behind the domain's {@link StripeGateway} port, plus the re-reads the webhook processor needs. The
 * client pins the API version of this stripe-java release ({@code com.stripe.ApiVersion.CURRENT}); network errors,
 * 409s and 5xx answers are retried by the client with the same idempotency key.
 */
@Component
public class StripeApi implements StripeGateway {

    private final StripeSettings settings;
    private final StripeClient client;

    public StripeApi(StripeSettings settings) {
        // stripe-java uses the JDK's HttpURLConnection, which keeps 5 idle connections per host by default; the
        // processor's workers read concurrently, so keep enough alive for them (an operator's setting wins)
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "16");
        }
        this.settings = settings;
        this.client = settings.apiEnabled() ? StripeClient.builder()
                .setApiKey(settings.apiKey())
                .setApiBase(settings.apiBase())
                .setMaxNetworkRetries(2)
                .setConnectTimeout(5_000)
                .setReadTimeout(20_000)
                .build() : null;
    }

    @Override
    public boolean enabled() {
        return client != null;
    }

    private StripeClient client() {
        if (client == null) {
            throw new IllegalStateException("STRIPE_API_KEY is not set");
        }
        return client;
    }

    private static RequestOptions idempotent(String key) {
        return RequestOptions.builder().setIdempotencyKey(key).build();
    }

    /** Reads (GET) are idempotent by nature; Stripe ignores idempotency keys on them, so none is sent. */
    private static RequestOptions read(String what) {
        return RequestOptions.getDefault();
    }

    @Override
    public String createCustomer(String userId, String idempotencyKey) {
        try {
            Customer customer = client().v1().customers().create(CustomerCreateParams.builder()
                    .putMetadata(Metadata.USER_ID, userId).build(), idempotent(idempotencyKey));
            return customer.getId();
        } catch (StripeException e) {
            throw new StripeUnavailable("creating the customer", e);
        }
    }

    @Override
    public CheckoutSession createCheckoutSession(CheckoutRequest request, String idempotencyKey) {
        Map<String, String> metadata = Map.of(Metadata.USER_ID, request.userId(), Metadata.ITEM_ID, request.itemId(),
                Metadata.KIND, request.subscription() ? "plan" : "pack", Metadata.CREDITS,
                Long.toString(request.credits()), Metadata.CATALOGUE_VERSION, request.catalogueVersion());
        SessionCreateParams.LineItem.Builder item = SessionCreateParams.LineItem.builder().setQuantity(1L);
        if (request.stripePriceId() != null && !request.stripePriceId().isBlank()) {
            item.setPrice(request.stripePriceId());
        } else {
            SessionCreateParams.LineItem.PriceData.Builder price = SessionCreateParams.LineItem.PriceData.builder()
                    .setCurrency(request.currency())
                    .setUnitAmount(request.priceCents())
                    .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                            .setName((request.subscription() ? "Plan " : "Credit pack ") + request.itemId()).build());
            if (request.subscription()) {
                price.setRecurring(SessionCreateParams.LineItem.PriceData.Recurring.builder()
                        .setInterval(SessionCreateParams.LineItem.PriceData.Recurring.Interval.valueOf(
                                request.interval().toUpperCase(java.util.Locale.ROOT))).build());
            }
            item.setPriceData(price.build());
        }
        SessionCreateParams.Builder params = SessionCreateParams.builder()
                .setMode(request.subscription() ? SessionCreateParams.Mode.SUBSCRIPTION
                        : SessionCreateParams.Mode.PAYMENT)
                .setCustomer(request.customerId())
                .setClientReferenceId(request.userId())
                .putAllMetadata(metadata)
                .addLineItem(item.build())
                .setSuccessUrl(settings.successUrl())
                .setCancelUrl(settings.cancelUrl());
        if (request.subscription()) {
            params.setSubscriptionData(SessionCreateParams.SubscriptionData.builder().putAllMetadata(metadata).build());
        } else {
            params.setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder().putAllMetadata(metadata)
                    .build());
        }
        try {
            Session session = client().v1().checkout().sessions().create(params.build(), idempotent(idempotencyKey));
            return new CheckoutSession(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw new StripeUnavailable("creating the checkout session", e);
        }
    }

    @Override
    public void cancelAtPeriodEnd(String subscriptionId, String idempotencyKey) {
        try {
            client().v1().subscriptions().update(subscriptionId, SubscriptionUpdateParams.builder()
                    .setCancelAtPeriodEnd(true).build(), idempotent(idempotencyKey));
        } catch (StripeException e) {
            throw new StripeUnavailable("cancelling the subscription", e);
        }
    }

    @Override
    public void deleteCustomer(String customerId, String idempotencyKey) {
        try {
            client().v1().customers().delete(customerId, idempotent(idempotencyKey));
        } catch (com.stripe.exception.InvalidRequestException e) {
            if (!"resource_missing".equals(e.getCode())) {
                throw new StripeUnavailable("deleting the customer", e);
            }
            // already gone: erasure is done as far as Stripe is concerned
        } catch (StripeException e) {
            throw new StripeUnavailable("deleting the customer", e);
        }
    }

    Session session(String id) throws StripeException {
        return client().v1().checkout().sessions().retrieve(id, SessionRetrieveParams.builder()
                .addExpand("payment_intent.latest_charge").build(), read(id));
    }

    Invoice invoice(String id) throws StripeException {
        return client().v1().invoices().retrieve(id, InvoiceRetrieveParams.builder().addExpand("payments").build(),
                read(id));
    }

    Charge charge(String id) throws StripeException {
        return client().v1().charges().retrieve(id, ChargeRetrieveParams.builder().build(), read(id));
    }

    Dispute dispute(String id) throws StripeException {
        return client().v1().disputes().retrieve(id, DisputeRetrieveParams.builder().build(), read(id));
    }

    Subscription subscription(String id) throws StripeException {
        return client().v1().subscriptions().retrieve(id, SubscriptionRetrieveParams.builder().build(), read(id));
    }

    StripeClient raw() {
        return client();
    }
}
