package net.kimik2.api.accounts;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

@Revision("1")
public record PasswordChangedEvent(@DataSubject String userId, @PersonalData(replacement = "") String passwordHash,
                                   String keptSessionId, Instant changedAt) {

    @Override
    public String toString() {
        return "PasswordChangedEvent[userId=" + userId + "]";
    }
}
