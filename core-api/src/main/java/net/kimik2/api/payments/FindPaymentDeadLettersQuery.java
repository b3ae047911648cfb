package net.kimik2.api.payments;

/** Answers a {@code List<PaymentDeadLetterView>}, oldest first (admin). */
public record FindPaymentDeadLettersQuery() {
}
