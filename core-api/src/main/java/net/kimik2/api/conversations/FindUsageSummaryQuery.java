package net.kimik2.api.conversations;

import java.time.LocalDate;

/** The user's usage per UTC day and model, from {@code from} to {@code to} inclusive. Answers a {@link UsageSummary}. */
public record FindUsageSummaryQuery(String userId, LocalDate from, LocalDate to) {
}
