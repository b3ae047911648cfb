package net.kimik2.api.audit;

import net.kimik2.api.platform.PageRequest;

/** The admin-access log, newest first; only one person's entries when {@code subjectId} is set. */
public record FindAdminAccessLogQuery(String subjectId, PageRequest page) {
}
