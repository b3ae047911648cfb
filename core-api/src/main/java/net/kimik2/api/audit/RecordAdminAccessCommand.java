package net.kimik2.api.audit;

import net.kimik2.api.privacy.NotPersisted;

/**
 * Records that an admin read a person's data (ADMIN only; the actor comes from the metadata). {@code what} names
 * the read (a stable label such as {@code auditTrail}), never a personal value; {@code reason} is the admin's.
 */
@NotPersisted // only travels on the bus; the event it becomes encrypts the reason
public record RecordAdminAccessCommand(String subjectId, String what, String reason) {
}
