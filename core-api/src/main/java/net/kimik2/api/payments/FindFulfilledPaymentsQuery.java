package net.kimik2.api.payments;

import java.time.Instant;

/** Purchases and subscription periods fulfilled in [{@code from}, {@code to}); answers {@code List<FulfilledPaymentView>}. */
public record FindFulfilledPaymentsQuery(Instant from, Instant to) {
}
