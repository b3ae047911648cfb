package net.kimik2.api.platform;

/** Stable codes of expected domain failures. They travel across the command and query buses. */
public enum ErrorCode {
    VALIDATION_FAILED,
    ALREADY_TAKEN,
    INVALID_CREDENTIALS,
    NOT_FOUND,
    FORBIDDEN,
    UNAUTHENTICATED,
    INSUFFICIENT_CREDITS,
    CONFLICT,
    /** The shared model capacity is exhausted; the amounts carry {@code retryAfterSeconds}. */
    BUSY,
    /**
     * Too many attempts (login throttling): refused before anything ran, whatever the input; the amounts carry
     * {@code retryAfterSeconds}.
     */
    RATE_LIMITED,
    /** A newer privacy policy is in effect: only acceptPolicy, data export and erasure run until it is accepted. */
    POLICY_ACCEPTANCE_REQUIRED
}
