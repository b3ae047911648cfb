package net.kimik2.api.apikeys;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** An API key was created; the label is the person's own words, so it is personal data. */
@Revision("1")
public record ApiKeyCreatedEvent(
        String ringId,
        @DataSubject String userId,
        String keyId,
        @PersonalData String label,
        String secretHash,
        String prefix,
        Long monthlyBudgetCredits,
        Instant expiresAt,
        List<String> models,
        Instant createdAt) {

    @Override
    public String toString() {
        return "ApiKeyCreatedEvent[keyId=" + keyId + "]";
    }
}
