package net.kimik2.api.apikeys;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/**
 * One of the person's API keys as its owner sees it: never the secret, only its prefix. {@code spentThisMonth} is
 * the cost of the answers it paid for since the start of the current UTC month.
 */
public record ApiKeyView(
        String id,
        @DataSubject String userId,
        @PersonalData String label,
        String prefix,
        Instant createdAt,
        Instant expiresAt,
        Long monthlyBudgetCredits,
        List<String> models,
        Instant lastUsedAt,
        long spentThisMonth,
        Instant revokedAt) {

    @Override
    public String toString() {
        return "ApiKeyView[id=" + id + "]";
    }
}
