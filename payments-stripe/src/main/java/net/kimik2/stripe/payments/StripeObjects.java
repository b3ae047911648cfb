package net.kimik2.stripe.payments;

import com.stripe.model.Invoice;
import com.stripe.model.InvoicePayment;
import com.stripe.model.checkout.Session;
import java.util.Map;
import net.kimik2.api.payments.PaymentIds;

/** What the payments capability reads from Stripe's objects, in one place for the processor and reconciliation. */
final class StripeObjects {

    private StripeObjects() {
    }

    static Map<String, String> metadata(Session session) {
        return session.getMetadata() == null ? Map.of() : session.getMetadata();
    }

    /** A plan invoice's metadata: the subscription's, stamped when it started (API 2025-03-31 and later). */
    static Map<String, String> metadata(Invoice invoice) {
        Invoice.Parent parent = invoice.getParent();
        return parent == null || parent.getSubscriptionDetails() == null
                || parent.getSubscriptionDetails().getMetadata() == null ? Map.of()
                : parent.getSubscriptionDetails().getMetadata();
    }

    /** The payment of a paid invoice: its PaymentIntent, or the invoice itself when none paid it (credit, 100 % off). */
    static String paymentId(Invoice invoice) {
        String paymentIntent = null;
        if (invoice.getPayments() != null && invoice.getPayments().getData() != null) {
            for (InvoicePayment payment : invoice.getPayments().getData()) {
                if ("paid".equals(payment.getStatus()) && payment.getPayment() != null
                        && payment.getPayment().getPaymentIntent() != null) {
                    paymentIntent = payment.getPayment().getPaymentIntent();
                }
            }
        }
        return PaymentIds.payment(paymentIntent != null ? paymentIntent : invoice.getId());
    }
}
