package net.kimik2.api.audit;

/** Cancels the running replay of one view processor (ADMIN): the old view keeps serving as if it never started. */
public record CancelReplayCommand(String processor) {
}
