package net.kimik2.stripe.payments;

import com.stripe.exception.StripeException;
import com.stripe.model.Invoice;
import com.stripe.model.checkout.Session;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.checkout.SessionListParams;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.kimik2.api.payments.FindFulfilledPaymentsQuery;
import net.kimik2.api.payments.FulfilledPaymentView;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.PaymentsReconciliation;
import net.kimik2.api.payments.PaymentsReconciliation.Mismatch;
import net.kimik2.api.payments.ReconcilePaymentsQuery;
import net.kimik2.command.payments.StripeGateway.Metadata;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/**
 * Reconciles a day's grants with Stripe: Stripe's paid Checkout Sessions (payment mode) and paid invoices of the day
 * against the payments this service fulfilled. A fulfilment may land on the next day (late webhooks), so each side is
 * looked up on the other within a day of it; every difference is listed.
 */
@Component
class PaymentsReconciler {

    private static final Duration SLACK = Duration.ofDays(1);

    private final StripeApi stripe;
    private final QueryGateway queries;

    PaymentsReconciler(StripeApi stripe, QueryGateway queries) {
        this.stripe = stripe;
        this.queries = queries;
    }

    /** A paid object at Stripe, by the payment id the service keys it by. */
    private record Paid(String paymentId, String objectId, Instant created, Long credits, long amount) {
    }

    @QueryHandler
    PaymentsReconciliation handle(ReconcilePaymentsQuery query) throws StripeException {
        Instant from = query.day().atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = from.plus(Duration.ofDays(1));
        Map<String, Paid> stripeSide = paidAtStripe(from.minus(SLACK), to.plus(SLACK));
        Map<String, FulfilledPaymentView> ours = new LinkedHashMap<>();
        for (FulfilledPaymentView view : queries.query(new FindFulfilledPaymentsQuery(from.minus(SLACK),
                to.plus(SLACK)), ResponseTypes.multipleInstancesOf(FulfilledPaymentView.class)).join()) {
            ours.put(view.paymentId(), view);
        }
        List<Mismatch> mismatches = new ArrayList<>();
        int paidThatDay = 0;
        for (Paid paid : stripeSide.values()) {
            if (paid.created().isBefore(from) || !paid.created().isBefore(to)) {
                continue;
            }
            paidThatDay++;
            FulfilledPaymentView granted = ours.get(paid.paymentId());
            if (granted == null) {
                mismatches.add(new Mismatch("not_granted", paid.paymentId(), paid.objectId(), paid.credits(), null));
                continue;
            }
            if (paid.credits() != null && paid.credits() != granted.credits()) {
                mismatches.add(new Mismatch("credits_differ", paid.paymentId(), paid.objectId(), paid.credits(),
                        granted.credits()));
            }
            if (paid.amount() != granted.amountCents()) {
                mismatches.add(new Mismatch("amount_differs", paid.paymentId(), paid.objectId(), paid.amount(),
                        granted.amountCents()));
            }
        }
        int grantedThatDay = 0;
        for (FulfilledPaymentView granted : ours.values()) {
            if (granted.fulfilledAt().isBefore(from) || !granted.fulfilledAt().isBefore(to)) {
                continue;
            }
            grantedThatDay++;
            if (!stripeSide.containsKey(granted.paymentId())) {
                mismatches.add(new Mismatch("not_paid_at_stripe", granted.paymentId(), null, null,
                        granted.credits()));
            }
        }
        return new PaymentsReconciliation(query.day(), paidThatDay, grantedThatDay, mismatches);
    }

    private Map<String, Paid> paidAtStripe(Instant from, Instant to) throws StripeException {
        Map<String, Paid> paid = new LinkedHashMap<>();
        SessionListParams sessions = SessionListParams.builder()
                .setCreated(SessionListParams.Created.builder().setGte(from.getEpochSecond())
                        .setLt(to.getEpochSecond()).build())
                .setStatus(SessionListParams.Status.COMPLETE)
                .setLimit(100L)
                .build();
        for (Session session : stripe.raw().v1().checkout().sessions().list(sessions).autoPagingIterable()) {
            Map<String, String> metadata = StripeObjects.metadata(session);
            if (!"payment".equals(session.getMode()) || !"paid".equals(session.getPaymentStatus())
                    || session.getPaymentIntent() == null || metadata.get(Metadata.USER_ID) == null) {
                continue;
            }
            paid.put(PaymentIds.payment(session.getPaymentIntent()), new Paid(
                    PaymentIds.payment(session.getPaymentIntent()), session.getId(),
                    Instant.ofEpochSecond(session.getCreated()), credits(metadata),
                    Objects.requireNonNullElse(session.getAmountTotal(), 0L)));
        }
        InvoiceListParams invoices = InvoiceListParams.builder()
                .setCreated(InvoiceListParams.Created.builder().setGte(from.getEpochSecond())
                        .setLt(to.getEpochSecond()).build())
                .setStatus(InvoiceListParams.Status.PAID)
                .addExpand("data.payments")
                .setLimit(100L)
                .build();
        for (Invoice invoice : stripe.raw().v1().invoices().list(invoices).autoPagingIterable()) {
            Map<String, String> metadata = StripeObjects.metadata(invoice);
            if (metadata.get(Metadata.USER_ID) == null) {
                continue;
            }
            String paymentId = StripeObjects.paymentId(invoice);
            paid.put(paymentId, new Paid(paymentId, invoice.getId(), Instant.ofEpochSecond(invoice.getCreated()),
                    credits(metadata), Objects.requireNonNullElse(invoice.getAmountPaid(), 0L)));
        }
        return paid;
    }

    private static Long credits(Map<String, String> metadata) {
        String credits = metadata.get(Metadata.CREDITS);
        return credits == null ? null : Long.valueOf(credits);
    }
}
