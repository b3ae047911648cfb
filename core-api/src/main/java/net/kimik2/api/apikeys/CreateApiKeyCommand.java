package net.kimik2.api.apikeys;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Creates an API key. The secret itself never travels here: only its SHA-256 hash and the short prefix shown in
 * lists. {@code monthlyBudgetCredits} null means no budget beyond the balance, {@code expiresAt} null never
 * expires, {@code models} empty allows every model. Answers the key id.
 */
public record CreateApiKeyCommand(
        @TargetAggregateIdentifier String ringId,
        @DataSubject String userId,
        String keyId,
        @PersonalData String label,
        String secretHash,
        String prefix,
        Long monthlyBudgetCredits,
        Instant expiresAt,
        List<String> models) {

    @Override
    public String toString() {
        return "CreateApiKeyCommand[keyId=" + keyId + "]";
    }
}
