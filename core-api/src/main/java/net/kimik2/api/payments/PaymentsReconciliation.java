package net.kimik2.api.payments;

import java.time.LocalDate;
import java.util.List;

/**
 * A day's reconciliation: how many paid objects Stripe lists and how many the service granted, and each mismatch:
 * {@code kind} is {@code not_granted} (paid at Stripe, no grant here), {@code not_paid_at_stripe} (granted here, no
 * paid session or invoice at Stripe within a day of it), {@code credits_differ} or {@code amount_differs}.
 */
public record PaymentsReconciliation(LocalDate day, int paidAtStripe, int granted, List<Mismatch> mismatches) {

    public record Mismatch(String kind, String paymentId, String stripeObjectId, Long expected, Long actual) {
    }
}
