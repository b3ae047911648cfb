package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.Usage;

import java.util.Objects;
import java.util.Optional;

/**
 * A model call failed. Carries what the billing side needs: the text and the number of completion tokens already
 * delivered to the listener, and the provider's usage if it reported one before failing.
 * The message never contains prompt or answer text.
 */
public class ModelCallFailedException extends RuntimeException {

    public enum Reason {
        /** The provider answered with an error status (other than 429), an error event, or a malformed stream. */
        UPSTREAM_ERROR,
        /** The provider kept answering 429 (rate limit or quota). */
        RATE_LIMITED,
        /** No connection could be made in time. */
        TIMEOUT_CONNECT,
        /** The model produced no token within the first-token timeout. */
        TIMEOUT_FIRST_TOKEN,
        /** The stream stalled between two chunks for longer than the idle timeout. */
        TIMEOUT_IDLE,
        /** The stream ended after some tokens without the end marker, finish reason or usage report. */
        STREAM_CUT,
        /** The stream completed but carried no answer text at all. */
        EMPTY_ANSWER
    }

    private final Reason reason;
    private final String partialText;
    private final int deliveredCompletionTokens;
    private final Usage usage;
    private final int attempts;

    public ModelCallFailedException(Reason reason, String message, String partialText, int deliveredCompletionTokens,
                                    Usage usage, int attempts, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.partialText = partialText == null ? "" : partialText;
        this.deliveredCompletionTokens = Math.max(0, deliveredCompletionTokens);
        this.usage = usage;
        this.attempts = attempts;
    }

    public Reason reason() {
        return reason;
    }

    /** The text already streamed to the listener (empty if none). */
    public String partialText() {
        return partialText;
    }

    /**
     * Completion tokens already delivered: one per content chunk, as the provider streams about one token per chunk.
     * An estimate; prefer {@link #usage()} when present.
     */
    public int deliveredCompletionTokens() {
        return deliveredCompletionTokens;
    }

    /** The provider's usage report, if it sent one before the failure. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /** How many upstream attempts were made (retries happen only before the first token). */
    public int attempts() {
        return attempts;
    }
}
