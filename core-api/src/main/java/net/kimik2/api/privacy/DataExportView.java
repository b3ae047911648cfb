package net.kimik2.api.privacy;

import java.time.Instant;

/** An export: PENDING (with progress 0-100), READY (downloadable until expiresAt), EXPIRED or FAILED. */
public record DataExportView(String exportId, String userId, String status, int progress, Instant requestedAt,
                             Instant readyAt, Instant expiresAt, long sizeBytes) {
}
