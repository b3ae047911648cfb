package net.kimik2.api.privacy;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The reason is free text typed by an admin and may name people: personal data of the held person. */
@Revision("1")
public record LegalHoldPlacedEvent(@DataSubject String userId, @PersonalData String reason, String placedBy,
                                   Instant placedAt) {

    @Override
    public String toString() {
        return "LegalHoldPlacedEvent[userId=" + userId + "]";
    }
}
