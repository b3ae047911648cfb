package net.kimik2.api.audit;

import java.time.Instant;

/**
 * One stored event as an auditor reads it: personal values decrypted while the person's key exists, and their
 * replacement values (e.g. "[erased]") once it was destroyed.
 */
public record AuditTrailEntry(long sequence, String type, String revision, Instant timestamp, String actorId,
                         String payloadJson) {
}
