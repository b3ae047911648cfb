package net.kimik2.api.payments;

/** Answers a {@code List<CreditPackView>}. */
public record FindCreditPacksQuery() {
}
