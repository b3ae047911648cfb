package net.kimik2.api.apikeys;

import java.time.Instant;
import java.util.List;

/**
 * What a live API key lets its bearer do: act for {@code userId} on the models listed (all when empty) within the
 * monthly budget (none when null), never with more than a USER's rights. Carries no personal data and never the
 * secret.
 */
public record ApiKeyGrant(String keyId, String userId, Instant expiresAt, Long monthlyBudgetCredits,
                          List<String> models, long spentThisMonth) {

    public boolean allowsModel(String model) {
        return models == null || models.isEmpty() || models.contains(model);
    }

    public boolean overBudget() {
        return monthlyBudgetCredits != null && spentThisMonth >= monthlyBudgetCredits;
    }
}
