package net.kimik2.api.conversations;

/** Why a prompt got no answer. Nothing is charged for a failed prompt. */
public enum PromptFailureCode {
    UPSTREAM_ERROR,
    RATE_LIMITED,
    TIMEOUT,
    STREAM_CUT,
    EMPTY_ANSWER,
    BUSY,
    /** The prompt was still open at its deadline, e.g. the service stopped while it ran. */
    INTERRUPTED
}
