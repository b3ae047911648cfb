package net.kimik2.api.conversations;

import java.time.LocalDate;

/** What one user's answers of one model consumed on one UTC day. */
public record DailyUsageView(
        LocalDate day,
        String model,
        int answers,
        long promptTokens,
        long cachedTokens,
        long completionTokens,
        long costCredits,
        int estimatedAnswers) {
}
