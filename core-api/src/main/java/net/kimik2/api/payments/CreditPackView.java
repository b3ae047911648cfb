package net.kimik2.api.payments;

import java.time.Instant;

/** A credit pack as currently offered (the catalogue version in effect now). */
public record CreditPackView(String id, long credits, long priceCents, String currency, String stripePriceId,
                             Instant effectiveFrom) {
}
