package net.kimik2.api.audit;

import java.time.Instant;

/** A person's balance and ledger as of an instant, folded from their ledger's events (ADMIN). */
public record FindBalanceAsOfQuery(String userId, Instant at) {
}
