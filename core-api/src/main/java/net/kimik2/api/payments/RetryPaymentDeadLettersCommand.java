package net.kimik2.api.payments;

/** Retries dead-lettered Stripe events now (admin); {@code eventId} null means all. Answers how many succeeded. */
public record RetryPaymentDeadLettersCommand(String eventId) {
}
