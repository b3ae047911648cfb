package net.kimik2.api.accounts;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

@Revision("1")
public record AccountRegisteredEvent(
        @DataSubject String userId,
        @PersonalData String name,
        @PersonalData String email,
        @PersonalData String username,
        @PersonalData(replacement = "") String passwordHash,
        String acceptedPolicyVersion,
        Role role,
        Instant registeredAt) {

    @Override
    public String toString() {
        return "AccountRegisteredEvent[userId=" + userId + ", role=" + role + "]";
    }
}
