package net.kimik2.api.privacy;

/**
 * Step 4 (views): deletes every view document of the person; answers how many documents this erasure request
 * purged, the same number however often the step is repeated.
 */
public record PurgeSubjectViewsCommand(String userId, String requestId) {
}
