package net.kimik2.api.accounts;

/** Answers a list of {@link SessionView}, the person's live sessions, newest first. */
public record FindSessionsQuery(String userId) {
}
