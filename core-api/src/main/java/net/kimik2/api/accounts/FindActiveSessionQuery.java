package net.kimik2.api.accounts;

/** Answers the {@link ActiveSession} for a session id, or nothing when it is unknown, expired or revoked. */
public record FindActiveSessionQuery(String sessionId) {
}
