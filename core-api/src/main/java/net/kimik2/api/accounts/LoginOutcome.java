package net.kimik2.api.accounts;

import java.time.Instant;

public record LoginOutcome(String userId, Role role, String sessionId, Instant expiresAt) {
}
