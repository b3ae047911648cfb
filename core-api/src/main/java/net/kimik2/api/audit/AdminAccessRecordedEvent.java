package net.kimik2.api.audit;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/**
 * An admin read a person's data: who ({@code adminId}), whose ({@code subjectId}), what, when and why. The reason is
 * free text typed by the admin, so it is encrypted under the admin's key; ids and labels are not personal values.
 */
@Revision("1")
public record AdminAccessRecordedEvent(
        String accessId,
        @DataSubject String adminId,
        String subjectId,
        String what,
        @PersonalData String reason,
        Instant at) {
}
