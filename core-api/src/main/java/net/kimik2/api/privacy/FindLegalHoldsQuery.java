package net.kimik2.api.privacy;

/** Answers a list of {@link LegalHoldView}: the holds in force, newest first, at most {@code limit}. */
public record FindLegalHoldsQuery(int limit) {
}
