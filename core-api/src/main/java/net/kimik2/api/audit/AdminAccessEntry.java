package net.kimik2.api.audit;

import java.time.Instant;

/** One admin read of a person's data, as the access log shows it. */
public record AdminAccessEntry(String id, String adminId, String subjectId, String what, String reason, Instant at,
                               String cursor) {
}
