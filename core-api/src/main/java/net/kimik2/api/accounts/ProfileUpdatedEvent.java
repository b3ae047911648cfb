package net.kimik2.api.accounts;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** The profile after a change: both values, the unchanged one too, so a reader needs only the latest event. */
@Revision("1")
public record ProfileUpdatedEvent(@DataSubject String userId, @PersonalData String name, @PersonalData String email,
                                  boolean emailChanged, Instant updatedAt) {

    @Override
    public String toString() {
        return "ProfileUpdatedEvent[userId=" + userId + "]";
    }
}
