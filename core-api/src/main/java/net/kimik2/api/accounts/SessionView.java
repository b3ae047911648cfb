package net.kimik2.api.accounts;

import java.time.Instant;

/** A live session with its device record (null fields once the record is shredded or was never made). */
public record SessionView(String sessionId, Instant createdAt, Instant lastSeenAt, Instant expiresAt,
                          String deviceType, String os, String browser, String ipAddress) {
}
