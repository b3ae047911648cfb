package net.kimik2.api.accounts;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/**
 * The device of a login, under a key of its own ({@code device:<sessionId>}, owned by the person) so that the
 * retention rule for device records can shred one record without touching the account.
 */
@Revision("1")
public record DeviceRecordedEvent(@DataSubject(scope = "device", owner = "userId") String sessionId, String userId,
                                  @PersonalData String deviceType, @PersonalData String os,
                                  @PersonalData String browser, @PersonalData String ipAddress,
                                  boolean newDevice, Instant recordedAt) {

    @Override
    public String toString() {
        return "DeviceRecordedEvent[sessionId=" + sessionId + ", newDevice=" + newDevice + "]";
    }
}
