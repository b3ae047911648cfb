package net.kimik2.runtime.conversations.gateway;

/**
 * The shared upstream capacity is exhausted (queue full, or the queued call waited too long): try again later.
 * Nothing was sent upstream, so nothing is owed.
 */
public class ModelBusyException extends RuntimeException {

    private final int retryAfterSeconds;

    public ModelBusyException(int retryAfterSeconds) {
        super("model gateway busy, retry after " + retryAfterSeconds + " s", null, false, false);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** A hint for clients, at least 1. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
