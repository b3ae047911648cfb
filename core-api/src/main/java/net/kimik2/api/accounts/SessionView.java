package net.kimik2.api.accounts;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/** A live session with its device record (null fields once the record is shredded or was never made). */
public record SessionView(String userId, @DataSubject(scope = "device", owner = "userId") String sessionId,
                          Instant createdAt, Instant lastSeenAt, Instant expiresAt, @PersonalData String deviceType,
                          @PersonalData String os, @PersonalData String browser, @PersonalData String ipAddress) {

    @Override
    public String toString() {
        return "SessionView[sessionId=" + sessionId + "]";
    }
}
