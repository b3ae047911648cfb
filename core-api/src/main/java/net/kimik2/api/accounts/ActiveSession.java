package net.kimik2.api.accounts;

import java.time.Instant;

public record ActiveSession(String sessionId, String userId, Role role, Instant expiresAt) {
}
