package net.kimik2.api.audit;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/** One admin read of a person's data, as the access log shows it. */
public record AdminAccessEntry(String id, @DataSubject String adminId, String subjectId, String what,
                               @PersonalData String reason, Instant at, String cursor) {
}
