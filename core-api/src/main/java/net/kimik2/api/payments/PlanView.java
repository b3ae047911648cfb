package net.kimik2.api.payments;

import java.time.Instant;

/** A monthly (or other {@code interval}) plan as currently offered. */
public record PlanView(String id, long creditsPerPeriod, long priceCents, String currency, String interval,
                       String stripePriceId, Instant effectiveFrom) {
}
