package net.kimik2.api.credits;

import java.time.Instant;

/** One ledger movement; {@code kind} is grant, hold, capture, release, refund, ... and {@code amount} is signed. */
public record LedgerEntryView(String id, String kind, long amount, Instant createdAt, String reference, String cursor) {
}
