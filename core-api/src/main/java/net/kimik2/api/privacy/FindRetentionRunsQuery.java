package net.kimik2.api.privacy;

/** Answers a list of {@link RetentionRunView}, newest first. */
public record FindRetentionRunsQuery(int limit) {
}
