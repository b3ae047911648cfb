package net.kimik2.api.payments;

import java.time.LocalDate;

/**
 * Admin: a day's (UTC) grants against Stripe's paid Checkout Sessions and invoices of that day; answers a
 * {@link PaymentsReconciliation} listing every mismatch.
 */
public record ReconcilePaymentsQuery(LocalDate day) {
}
